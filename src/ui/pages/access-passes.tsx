/**
 * Access → Passes (issue 16): visitor passes, listed newest first, created from a form, revoked
 * after a confirm; each pass has a printable page with its QR code drawn inline (SVG), its name,
 * validity and doors. Admins only, like the API: a pass's page shows a code that opens doors.
 * Changes go through app/access.ts.
 */
import { type Context, Hono } from "hono";
import { raw } from "hono/html";
import { qrSvg } from "../../access/qr.ts";
import { createPass, getPass, listPasses, type PassView, revokePass } from "../../app/access-passes.ts";
import { AppError } from "../../lib/app-error.ts";
import { AccessTabs } from "../access/area.tsx";
import { type Choices, LIST, PassEditor, type PassValues, postedPass, readPassForm } from "../access/pass-form.tsx";
import type { FormErrors } from "../access/schedule-form.tsx";
import { actorLabels } from "../actor-labels.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Pager, siteTime, type Tone } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { sentence } from "../errors.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { pageFromQuery } from "../paging.ts";
import { idParam } from "../timesheets/area.tsx";
import type { SiteClock } from "../../protocol/index.ts";
import type { Page } from "../../store/contract.ts";

const href = (id: number) => `${LIST}/${id}`;
const PAGE = 50;
const STATUS: Record<PassView["status"], { label: string; tone: Tone }> = {
  active: { label: "Active", tone: "ok" },
  not_yet: { label: "Not yet valid", tone: "info" },
  expired: { label: "Expired", tone: "muted" },
  used_up: { label: "Used up", tone: "muted" },
  revoked: { label: "Revoked", tone: "error" },
};

/** "YYYY-MM-DD HH:MM" (a datetime-local field's value, with a space) from a site-local time. */
const minutes = (time: string) => time.slice(0, 16);

function usesText(p: PassView): string {
  return p.uses === null ? `${p.used} used, no limit` : `${p.used} of ${p.uses} used`;
}

/** The doors a pass opens, in words: its levels, then its terminals by name. */
function doorsOf(p: PassView, ch: Choices): string {
  const level = new Map(ch.levels.map((l) => [l.id, l.name]));
  const terminal = new Map(ch.terminals.map((t) => [t.sn, t.name || t.sn]));
  return [...p.levelIds.map((id) => `level ${level.get(id) ?? `#${id}`}`), ...p.terminals.map((sn) => terminal.get(sn) ?? sn)].join(", ");
}

function RevokeButton({ p, csrf }: { p: PassView; csrf: string }) {
  return <ActionButton action={`${href(p.id)}/revoke`} csrf={csrf} label="Revoke" tone="danger" confirm={`Revoke the pass of ${p.name}? Its code stops opening doors at once.`} />;
}

function PassList({ result, query, choices, csrf }: { result: Page<PassView>; query: URLSearchParams; choices: Choices; csrf: string }) {
  return (
    <>
      <AccessTabs active="passes" />
      <p class="subtitle">A visitor pass is a QR code the server made: it opens its doors while valid, as many times as it allows, until revoked. Print it or send its page's picture.</p>
      {result.items.length === 0 ? (
        <EmptyState title="No passes yet">Make one for a visitor: a name, when, which doors.</EmptyState>
      ) : (
        <>
          <Table
            rows={result.items}
            label="Passes"
            row={(p) => ({ "data-pass": p.name })}
            columns={[
              { head: "Name", cell: (p) => <a href={href(p.id)}>{p.name}</a> },
              { head: "Valid", class: "nowrap", cell: (p) => `${minutes(p.validFrom)} – ${minutes(p.validTo)}` },
              { head: "Doors", cell: (p) => doorsOf(p, choices) },
              { head: "Uses", cell: (p) => usesText(p) },
              { head: "Status", cell: (p) => <Badge tone={STATUS[p.status].tone}>{STATUS[p.status].label}</Badge> },
              { head: <span class="sr-only">Actions</span>, class: "row-actions", cell: (p) => (p.status === "revoked" ? null : <RevokeButton p={p} csrf={csrf} />) },
            ]}
          />
          <Pager base={LIST} query={query} next={result.next} shown={result.items.length} />
        </>
      )}
    </>
  );
}

/** A pass's printable page: its QR code, name, validity and doors. */
function PassCard({ p, doors, madeBy, clock }: { p: PassView; doors: string; madeBy: string; clock: SiteClock }) {
  const status = STATUS[p.status];
  return (
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
            <dd>{doors}</dd>
            <dt>Uses</dt>
            <dd>{p.uses === null ? "Any number" : p.uses === 1 ? "One entry" : `${p.uses} entries`}</dd>
          </dl>
          <p class="hint">Show this code to a door's reader. Made {siteTime(clock, p.createdAt)} by {madeBy}.</p>
        </div>
      </section>
      <p class="no-print">
        <a href={`${href(p.id)}/qr.svg`} download={`pass-${p.id}.svg`}>
          Download the QR code (SVG)
        </a>{" "}
        <span class="muted small">to send it, or print this page: the menu and buttons are left off the paper.</span>
      </p>
    </>
  );
}

export function accessPassPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const title = "Access";
  const choices = async (): Promise<Choices> => {
    const [levels, terminals] = await Promise.all([deps.store.access.levels(), deps.store.listTerminals()]);
    return { levels, terminals };
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
    const { page: result, query } = await pageFromQuery(c.req.query("cursor"), (at) => listPasses(deps.access, { limit: PAGE, ...(at ? { cursor: at } : {}) }));
    const view = { result, query, choices: await choices(), csrf: c.get("session").csrfToken };
    return page(c, deps.settings.siteName, { title, active: "access", actions: <a class="btn btn-primary" href={`${LIST}/new`}>New pass</a> }, <PassList {...view} />);
  });

  app.get(`${LIST}/new`, requireAdmin(), (c) => {
    // Today from now to the end of the day, one use: the usual visitor.
    const now = deps.settings.clock.format(deps.now());
    return editor(c, { name: "", validFrom: minutes(now).replace(" ", "T"), validTo: `${now.slice(0, 10)}T23:59`, levelIds: [], terminals: [], uses: "1", unlimited: false }, {});
  });

  /** The use case's refusals of a date, named as the form labels the field. */
  const DATE_LABEL: Record<string, string> = { validFrom: "Valid from", validTo: "Valid until" };

  app.post(LIST, requireAdmin(), async (c) => {
    const values = await postedPass(c);
    const read = readPassForm(values, await choices());
    if (!read.ok) return editor(c, values, read.errors, 400);
    try {
      const p = await createPass(deps.access, actorOf(c), read.input);
      return redirectWith(c, href(p.id), "ok", `Made the pass of ${p.name}: print this page or save its QR code.`);
    } catch (err) {
      if (!(err instanceof AppError) || !["bad_request", "not_found"].includes(err.code)) throw err;
      const field = err.input?.field;
      if (field && field in DATE_LABEL) return editor(c, values, { [field]: sentence(`${DATE_LABEL[field]}: ${err.input?.problem}`) }, 400);
      return editor(c, values, { form: sentence(err.message) }, 400);
    }
  });

  app.get(`${LIST}/:id`, requireAdmin(), async (c) => {
    const p = await getPass(deps.access, idParam(c));
    const actions = (
      <>
        <a class="btn btn-plain" href={`${LIST}`}>
          All passes
        </a>
        {p.status === "revoked" ? null : <RevokeButton p={p} csrf={c.get("session").csrfToken} />}
      </>
    );
    return page(c, deps.settings.siteName, { title, active: "access", actions }, <PassCard p={p} doors={doorsOf(p, await choices())} madeBy={(await actorLabels(deps.store, [p.createdBy]))(p.createdBy)} clock={deps.settings.clock} />);
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
