/**
 * A person's credentials on their page: each one stored here (a PIN or card masked as the API
 * masks it, never in full), the terminals holding it, and the admin's forms to set a card or PIN,
 * remove a credential, or read one back from a terminal. The same use cases as the REST API
 * (app/people.ts), so the same audit entries.
 */
import { Hono } from "hono";
import { z } from "zod";
import { pullCredential, removeCredential, setCredential } from "../../app/people.ts";
import { CREDENTIAL_BACKUPNUMS } from "../../protocol/index.ts";
import { maskedValue } from "../../people/mask.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, Field, MANY_TERMINALS, TerminalFilter } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { credentialLabel } from "../labels.ts";
import { CsrfField } from "../layout.tsx";

const PIN = 10;
const CARD = 11;
const PHOTO = 50;

const href = (id: number) => `/people/${id}`;

/** What a row shows of the stored value: a mask for a PIN or card, a size for the rest. */
function storedText(backupnum: number, data: string | undefined): string {
  if (data === undefined) return "Only on the terminals";
  return maskedValue(backupnum, data) ?? `Stored (${data.length} characters)`;
}

export function CredentialsPanel(props: {
  enrollid: number;
  stored: ReadonlyArray<{ backupnum: number; data: string }>;
  held: ReadonlyArray<{ sn: string; backupnum: number }>;
  terminals: readonly TerminalRow[];
  csrf: string | null;
}) {
  const { enrollid: id, csrf } = props;
  const names = new Map(props.terminals.map((t) => [t.sn, t.name || t.sn]));
  const data = new Map(props.stored.map((c) => [c.backupnum, c.data]));
  const backupnums = [...new Set([...data.keys(), ...props.held.map((h) => h.backupnum)])].sort((a, b) => a - b);
  const approved = props.terminals.filter((t) => t.approval === "approved");
  return (
    <section class="panel" aria-labelledby="credentials-title">
      <h2 id="credentials-title">Credentials</h2>
      {backupnums.length === 0 ? (
        <p class="muted">None stored. Set a card or PIN below, enrol the person on a terminal, or import people from one.</p>
      ) : (
        <div class="table-wrap">
          <table class="table" aria-label="Credentials">
            <thead>
              <tr>
                <th scope="col">Credential</th>
                <th scope="col">Here</th>
                <th scope="col">On terminals</th>
                {csrf ? <th scope="col"><span class="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {backupnums.map((b) => {
                const on = props.held.filter((h) => h.backupnum === b).map((h) => names.get(h.sn) ?? h.sn);
                const value = data.get(b);
                return (
                  <tr data-backupnum={b}>
                    <td>{b === PHOTO && value !== undefined ? <img class="thumb" src={`${href(id)}/photo`} alt="Photo" /> : <Badge tone="info">{credentialLabel(b)}</Badge>}</td>
                    <td class="mono" data-masked>{storedText(b, value)}</td>
                    <td>{on.length === 0 ? <span class="muted">none</span> : on.join(", ")}</td>
                    {csrf ? (
                      <td>
                        {value !== undefined ? (
                          <ActionButton
                            action={`${href(id)}/credentials/${b}/delete`}
                            csrf={csrf}
                            label={`Remove ${credentialLabel(b)}`}
                            tone="danger"
                            confirm={`Remove this ${credentialLabel(b)} here and from every terminal holding it?`}
                          />
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {csrf ? (
        <>
          <form method="post" action={`${href(id)}/credentials/${CARD}`} class="stack form-grid">
            <CsrfField token={csrf} />
            <Field label="Card number" name="card" autocomplete="off" required hint="Digits (or hex on some readers), up to 20; replaces the card stored." />
            <div>
              <button type="submit" class="btn btn-plain">
                Set card
              </button>
            </div>
          </form>
          <form method="post" action={`${href(id)}/credentials/${PIN}`} class="stack form-grid">
            <CsrfField token={csrf} />
            <Field label="PIN" name="pin" type="password" autocomplete="new-password" required hint="1 to 8 digits, for the terminals' keypads." />
            <div>
              <button type="submit" class="btn btn-plain">
                Set PIN
              </button>
            </div>
          </form>
          {approved.length > 0 ? (
            <form method="post" action={`${href(id)}/credentials/pull`} class="stack form-grid">
              <CsrfField token={csrf} />
              {approved.length > MANY_TERMINALS ? (
                <TerminalFilter id="f-pull-sn" value={undefined} label="Read from terminal (serial number)" placeholder="serial number" required />
              ) : (
                <div class="field">
                  <label for="f-pull-sn">Read from terminal</label>
                  <select id="f-pull-sn" name="sn">
                    {approved.map((t) => (
                      <option value={t.sn}>{t.name || t.sn}</option>
                    ))}
                  </select>
                </div>
              )}
              <div class="field">
                <label for="f-pull-backupnum">Credential enrolled there</label>
                <select id="f-pull-backupnum" name="backupnum">
                  {CREDENTIAL_BACKUPNUMS.filter((b) => b < 20 || b % 10 === 0).map((b) => (
                    <option value={String(b)}>{credentialLabel(b)}</option>
                  ))}
                </select>
              </div>
              <div>
                <button type="submit" class="btn btn-plain">
                  Read credential
                </button>
              </div>
            </form>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

const pullForm = z.object({ sn: z.string().min(1).max(64), backupnum: z.coerce.number().int() });

/** The panel's forms; refusals (a PIN that is not digits, an unknown terminal) come back as flash messages (ui/errors.ts). */
export function personCredentialPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const personId = (raw: string) => {
    const id = Number(raw);
    return Number.isInteger(id) && id > 0 ? id : 0;
  };

  app.post("/people/:id/credentials/pull", requireAdmin(), async (c) => {
    const id = personId(c.req.param("id"));
    const parsed = pullForm.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, href(id), "error", "Choose a terminal and a credential.");
    const job = await pullCredential(deps, actorOf(c), id, parsed.data.sn, parsed.data.backupnum);
    return redirectWith(c, `/jobs/${job.id}`, "ok", `Reading the ${credentialLabel(parsed.data.backupnum)} from the terminal.`);
  });

  for (const [backupnum, field, what] of [
    [CARD, "card", "Card"],
    [PIN, "pin", "PIN"],
  ] as const) {
    app.post(`/people/:id/credentials/${backupnum}`, requireAdmin(), async (c) => {
      const id = personId(c.req.param("id"));
      const value = ((await formOf(c))[field] ?? "").trim();
      const { job } = await setCredential(deps, actorOf(c), id, { backupnum, data: value });
      return job ? redirectWith(c, `/jobs/${job.id}`, "ok", `${what} set; updating the terminals that hold this person.`) : redirectWith(c, href(id), "ok", `${what} set.`);
    });
  }

  app.post("/people/:id/credentials/:backupnum/delete", requireAdmin(), async (c) => {
    const id = personId(c.req.param("id"));
    const backupnum = Number(c.req.param("backupnum"));
    const { job } = await removeCredential(deps, actorOf(c), id, backupnum);
    const what = credentialLabel(backupnum);
    return job ? redirectWith(c, `/jobs/${job.id}`, "ok", `${what} removed; updating the terminals that hold this person.`) : redirectWith(c, href(id), "ok", `${what} removed.`);
  });

  return app;
}
