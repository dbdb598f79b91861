/**
 * Access → Passes (issue 16): visitor passes, listed newest first, created from a form, revoked
 * after a confirm; each pass has a printable page with its QR code drawn inline (SVG), its name,
 * validity and doors. Admins only, like the API: a pass's page shows a code that opens doors.
 * Changes go through app/access.ts.
 */
import { type Context, Hono } from "hono";
import { raw } from "hono/html";
import { qrSvg } from "../../access/qr.ts";
import { createPass, getPass, listPasses, type PassView, revokePass } from "../../app/access.ts";
import { AppError } from "../../lib/app-error.ts";
import type { AccessLevelRow } from "../../store/access-contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { AccessTabs } from "../access/area.tsx";
import { FieldError, type FormErrors, FormProblems, NAME_MAX } from "../access/schedule-form.tsx";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Pager, siteTime, type Tone } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { sentence } from "../errors.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { pageOrFirst } from "../paging.ts";
import { idParam } from "../timesheets/area.tsx";

const LIST = "/access/passes";
const href = (id: number) => `${LIST}/${id}`;
const PAGE = 50;
/** More uses than a visitor pass needs; the store takes up to a million. */
const USES_MAX = 1_000_000;

interface PassValues {
  name: string;
  validFrom: string;
  validTo: string;
  levelIds: string[];
  terminals: string[];
  uses: string;
  unlimited: boolean;
}

interface Choices {
  levels: AccessLevelRow[];
  terminals: TerminalRow[];
}

const STATUS: Record<PassView["status"], { label: string; tone: Tone }> = {
  active: { label: "Active", tone: "ok" },
  not_yet: { label: "Not yet valid", tone: "info" },
  expired: { label: "Expired", tone: "muted" },
  used_up: { label: "Used up", tone: "muted" },
  revoked: { label: "Revoked", tone: "error" },
};

/** "YYYY-MM-DD HH:MM" (a datetime-local field's value, with a space) from a site-local time. */
const minutes = (time: string) => time.slice(0, 16);

async function postedPass(c: Context<UiEnv>): Promise<PassValues> {
  const form = await c.req.formData();
  const one = (name: string) => String(form.get(name) ?? "").slice(0, 200);
  const many = (name: string) => form.getAll(name).map(String).slice(0, 10_000);
  return {
    name: one("name"), validFrom: one("validFrom"), validTo: one("validTo"), levelIds: many("levelId"), terminals: many("sn"), uses: one("uses"),
    unlimited: form.get("unlimited") === "on",
  };
}

/** The posted pass as the use case's input, or its problems by field (the use case checks the rest). */
export function readPassForm(v: PassValues, choices: Choices) {
  const errors: FormErrors = {};
  const name = v.name.trim();
  if (name === "") errors.name = "Name: fill this in.";
  else if (name.length > NAME_MAX) errors.name = `Name: use at most ${NAME_MAX} characters.`;
  if (v.validFrom.trim() === "") errors.validFrom = "Valid from: fill this in.";
  if (v.validTo.trim() === "") errors.validTo = "Valid until: fill this in.";
  const levels = new Set(choices.levels.map((l) => String(l.id)));
  const known = new Set(choices.terminals.map((t) => t.sn));
  const levelIds = [...new Set(v.levelIds)];
  const terminals = [...new Set(v.terminals)];
  if (levelIds.some((id) => !levels.has(id)) || terminals.some((sn) => !known.has(sn))) errors.doors = "Doors: a level or terminal ticked is gone; tick again.";
  else if (levelIds.length === 0 && terminals.length === 0) errors.doors = "Doors: tick at least one access level or terminal.";
  const uses = Number(v.uses);
  if (!v.unlimited && !(/^\d{1,7}$/.test(v.uses.trim()) && uses >= 1 && uses <= USES_MAX)) errors.uses = `Uses: a whole number from 1 to ${USES_MAX}, or tick "Any number".`;
  if (Object.keys(errors).length > 0) return { ok: false as const, errors };
  return {
    ok: true as const,
    input: { name, validFrom: v.validFrom.trim(), validTo: v.validTo.trim(), levelIds: levelIds.map(Number), terminals, uses: v.unlimited ? null : uses },
  };
}

function PassEditor(props: { csrf: string; values: PassValues; errors: FormErrors; choices: Choices }) {
  const { values, errors, choices } = props;
  const invalid = (field: string) => (errors[field] ? { "aria-invalid": "true", "aria-describedby": `f-${field}-error` } : {});
  return (
    <form method="post" action={LIST} class="panel stack form-grid" aria-label="New pass">
      <CsrfField token={props.csrf} />
      <FormProblems heading="The pass was not made:" errors={errors} />
      <div class="field">
        <label for="f-name">Visitor's name</label>
        <input id="f-name" name="name" value={values.name} required maxlength={NAME_MAX} {...invalid("name")} />
        <FieldError id="f-name-error" text={errors.name} />
      </div>
      <div class="field">
        <label for="f-validFrom">Valid from</label>
        <input id="f-validFrom" name="validFrom" type="datetime-local" value={values.validFrom} required {...invalid("validFrom")} />
        <FieldError id="f-validFrom-error" text={errors.validFrom} />
      </div>
      <div class="field">
        <label for="f-validTo">Valid until</label>
        <input id="f-validTo" name="validTo" type="datetime-local" value={values.validTo} required {...invalid("validTo")} />
        <FieldError id="f-validTo-error" text={errors.validTo} />
        <p class="hint">Site time, both minutes included.</p>
      </div>
      <fieldset class="plain-fieldset" id="f-doors" tabindex={-1} aria-describedby={errors.doors ? "f-doors-error" : undefined}>
        <legend class="label">Doors</legend>
        <FieldError id="f-doors-error" text={errors.doors} />
        {choices.levels.length > 0 ? (
          <div class="checks" role="group" aria-label="Access levels">
            {choices.levels.map((l) => (
              <label>
                <input type="checkbox" name="levelId" value={String(l.id)} checked={values.levelIds.includes(String(l.id))} /> Level {l.name}
              </label>
            ))}
          </div>
        ) : null}
        {choices.terminals.length === 0 ? (
          <p class="muted">No terminal has connected yet.</p>
        ) : (
          <div class="checks" role="group" aria-label="Terminals">
            {choices.terminals.map((t) => (
              <label>
                <input type="checkbox" name="sn" value={t.sn} checked={values.terminals.includes(t.sn)} /> {t.name ? `${t.name} (${t.sn})` : t.sn}
              </label>
            ))}
          </div>
        )}
        <p class="hint">A level's doors open on its schedule; a terminal ticked here opens at any time the pass is valid.</p>
      </fieldset>
      <div class="field">
        <label for="f-uses">Uses</label>
        <input id="f-uses" name="uses" type="number" min="1" max={String(USES_MAX)} value={values.uses} {...invalid("uses")} />
        <FieldError id="f-uses-error" text={errors.uses} />
      </div>
      <div class="field field-check">
        <input id="f-unlimited" name="unlimited" type="checkbox" checked={values.unlimited} />
        <label for="f-unlimited">Any number of uses</label>
      </div>
      <div>
        <button type="submit" class="btn btn-primary">
          Make pass
        </button>
      </div>
    </form>
  );
}

function usesText(p: PassView): string {
  return p.uses === null ? `${p.used} used, no limit` : `${p.used} of ${p.uses} used`;
}

export function accessPassPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const title = "Access";
  const choices = async (): Promise<Choices> => {
    const [levels, terminals] = await Promise.all([deps.store.access.levels(), deps.store.listTerminals()]);
    return { levels, terminals };
  };
  const doorsOf = (p: PassView, ch: Choices) => {
    const level = new Map(ch.levels.map((l) => [l.id, l.name]));
    const terminal = new Map(ch.terminals.map((t) => [t.sn, t.name || t.sn]));
    return [...p.levelIds.map((id) => `level ${level.get(id) ?? `#${id}`}`), ...p.terminals.map((sn) => terminal.get(sn) ?? sn)].join(", ");
  };

  const editor = async (c: Context<UiEnv>, values: PassValues, errors: FormErrors, status: 200 | 400 = 200) =>
    page(
      c,
      deps.settings.siteName,
      { title, active: "access" },
      <>
        <AccessTabs active="passes" />
        <h2>New pass</h2>
        <PassEditor csrf={c.get("session").csrfToken} values={values} errors={errors} choices={await choices()} />
      </>,
      status,
    );

  app.get(LIST, requireAdmin(), async (c) => {
    const cursor = c.req.query("cursor");
    const result = await pageOrFirst((at) => listPasses(deps.access, { limit: PAGE, ...(at ? { cursor: at } : {}) }), cursor && cursor.length <= 200 ? cursor : undefined);
    const ch = await choices();
    const csrf = c.get("session").csrfToken;
    const query = new URLSearchParams(cursor ? { cursor } : {});
    return page(
      c,
      deps.settings.siteName,
      { title, active: "access", actions: <a class="btn btn-primary" href={`${LIST}/new`}>New pass</a> },
      <>
        <AccessTabs active="passes" />
        <p class="subtitle">A visitor pass is a QR code the server made: it opens its doors while valid, as many times as it allows, until revoked. Print it or send its page's picture.</p>
        {result.items.length === 0 ? (
          <EmptyState title="No passes yet">Make one for a visitor: a name, when, which doors.</EmptyState>
        ) : (
          <>
            <div class="table-wrap">
              <table class="table" aria-label="Passes">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Valid</th>
                    <th scope="col">Doors</th>
                    <th scope="col">Uses</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {result.items.map((p) => (
                    <tr data-pass={p.name}>
                      <td>
                        <a href={href(p.id)}>{p.name}</a>
                      </td>
                      <td class="nowrap">
                        {minutes(p.validFrom)} – {minutes(p.validTo)}
                      </td>
                      <td>{doorsOf(p, ch)}</td>
                      <td>{usesText(p)}</td>
                      <td>
                        <Badge tone={STATUS[p.status].tone}>{STATUS[p.status].label}</Badge>
                      </td>
                      <td class="row-actions">
                        {p.status === "revoked" ? null : (
                          <ActionButton action={`${href(p.id)}/revoke`} csrf={csrf} label="Revoke" tone="danger" confirm={`Revoke the pass of ${p.name}? Its code stops opening doors at once.`} />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager base={LIST} query={query} next={result.next} shown={result.items.length} />
          </>
        )}
      </>,
    );
  });

  app.get(`${LIST}/new`, requireAdmin(), (c) => {
    // Today from now to the end of the day, one use: the usual visitor.
    const now = deps.settings.clock.format(deps.now());
    return editor(c, { name: "", validFrom: minutes(now).replace(" ", "T"), validTo: `${now.slice(0, 10)}T23:59`, levelIds: [], terminals: [], uses: "1", unlimited: false }, {});
  });

  app.post(LIST, requireAdmin(), async (c) => {
    const values = await postedPass(c);
    const read = readPassForm(values, await choices());
    if (!read.ok) return editor(c, values, read.errors, 400);
    try {
      const p = await createPass(deps.access, actorOf(c), read.input);
      return redirectWith(c, href(p.id), "ok", `Made the pass of ${p.name}: print this page or save its QR code.`);
    } catch (err) {
      if (!(err instanceof AppError) || !["bad_request", "not_found"].includes(err.code)) throw err;
      return editor(c, values, { form: sentence(err.message) }, 400);
    }
  });

  app.get(`${LIST}/:id`, requireAdmin(), async (c) => {
    const p = await getPass(deps.access, idParam(c));
    const ch = await choices();
    const status = STATUS[p.status];
    return page(
      c,
      deps.settings.siteName,
      {
        title,
        active: "access",
        actions: (
          <>
            <a class="btn btn-plain" href={`${LIST}`}>
              All passes
            </a>
            {p.status === "revoked" ? null : (
              <ActionButton action={`${href(p.id)}/revoke`} csrf={c.get("session").csrfToken} label="Revoke" tone="danger" confirm={`Revoke the pass of ${p.name}? Its code stops opening doors at once.`} />
            )}
          </>
        ),
      },
      <>
        <AccessTabs active="passes" />
        <section class="panel pass-card" aria-label="Pass">
          <div class="pass-qr" data-pass-qr="">
            {raw(qrSvg(p.code))}
          </div>
          <div class="pass-text">
            <h2 class="pass-name">{p.name}</h2>
            <p class="muted no-print">
              <Badge tone={status.tone}>{status.label}</Badge> · {usesText(p)}
            </p>
            <dl class="kv">
              <dt>Valid from</dt>
              <dd>{minutes(p.validFrom)}</dd>
              <dt>Valid until</dt>
              <dd>{minutes(p.validTo)}</dd>
              <dt>Doors</dt>
              <dd>{doorsOf(p, ch)}</dd>
              <dt>Uses</dt>
              <dd>{p.uses === null ? "Any number" : p.uses === 1 ? "One entry" : `${p.uses} entries`}</dd>
            </dl>
            <p class="hint">Show this code to a door's reader. Made {siteTime(deps.settings.clock, p.createdAt)} by {p.createdBy}.</p>
          </div>
        </section>
        <p class="no-print">
          <a href={`${href(p.id)}/qr.svg`} download={`pass-${p.id}.svg`}>
            Download the QR code (SVG)
          </a>{" "}
          <span class="muted small">to send it, or print this page: the menu and buttons are left off the paper.</span>
        </p>
      </>,
    );
  });

  app.get(`${LIST}/:id/qr.svg`, requireAdmin(), async (c) => {
    const p = await getPass(deps.access, idParam(c));
    c.header("content-type", "image/svg+xml; charset=utf-8");
    c.header("cache-control", "private, no-store");
    return c.body(qrSvg(p.code));
  });

  app.post(`${LIST}/:id/revoke`, requireAdmin(), async (c) => {
    const p = await revokePass(deps.access, actorOf(c), idParam(c));
    return redirectWith(c, LIST, "ok", `Revoked the pass of ${p.name}.`);
  });

  return app;
}
