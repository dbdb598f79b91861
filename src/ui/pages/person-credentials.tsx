/**
 * A person's credentials on their page: each one stored here (a PIN or card masked as the API
 * masks it, never in full), the terminals holding it, and the admin's forms to set a card or PIN,
 * remove a credential, or read one back from a terminal. The same use cases as the REST API
 * (app/people.ts), so the same audit entries.
 */
import { Hono } from "hono";
import { z } from "zod";
import { pullCredential, removeCredential, setCredential } from "../../app/people.ts";
import { CREDENTIAL_BACKUPNUMS, ENROLLID_MAX } from "../../protocol/index.ts";
import { maskedValue } from "../../people/mask.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { pathId } from "../../lib/path-id.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, Field, MANY_TERMINALS, TerminalFilter } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { credentialLabel } from "../labels.ts";
import { CsrfField } from "../layout.tsx";
import { Table } from "../table.tsx";
import { backToPerson } from "./person-saved.ts";

const PIN = 10;
const CARD = 11;
const PHOTO = 50;

const href = (id: number) => `/people/${id}`;

/** What a row shows of the stored value: a mask for a PIN or card, a size for the rest. */
function storedText(backupnum: number, data: string | undefined): string {
  if (data === undefined) return "Only on the terminals";
  return maskedValue(backupnum, data) ?? `Stored (${data.length} characters)`;
}

type Props = {
  enrollid: number;
  stored: ReadonlyArray<{ backupnum: number; data: string }>;
  held: ReadonlyArray<{ sn: string; backupnum: number }>;
  terminals: readonly TerminalRow[];
  csrf: string | null;
};

/**
 * One row a credential stored here or held by a terminal. Its Remove button says only "Remove" (the
 * row names the credential, and so does the button's aria-label): "Remove Fingerprint 10" made
 * the table wider than its panel at 1366 px, the button out of sight.
 */
function CredentialsTable({ enrollid: id, stored, held, terminals, csrf }: Props) {
  const names = new Map(terminals.map((t) => [t.sn, t.name || t.sn]));
  const data = new Map(stored.map((c) => [c.backupnum, c.data]));
  const backupnums = [...new Set([...data.keys(), ...held.map((h) => h.backupnum)])].sort((a, b) => a - b);
  const holders = (b: number) => held.filter((h) => h.backupnum === b).map((h) => names.get(h.sn) ?? h.sn);
  return (
    <Table
      label="Credentials"
      rows={backupnums}
      row={(b) => ({ "data-backupnum": b })}
      empty={<p class="muted">None stored. Set a card or PIN below, enrol the person on a terminal, or import people from one.</p>}
      columns={[
        { head: "Credential", cell: (b) => (b === PHOTO && data.has(b) ? <img class="thumb" src={`${href(id)}/photo`} alt="Photo" /> : <Badge tone="info">{credentialLabel(b)}</Badge>) },
        { head: "Here", class: "mono", attrs: { "data-masked": "" }, cell: (b) => storedText(b, data.get(b)) },
        { head: "On terminals", cell: (b) => (holders(b).length === 0 ? <span class="muted">none</span> : holders(b).join(", ")) },
        csrf !== null && {
          head: <span class="sr-only">Actions</span>,
          class: "row-actions",
          cell: (b) =>
            data.has(b) ? (
              <ActionButton
                action={`${href(id)}/credentials/${b}/delete`}
                csrf={csrf}
                label="Remove"
                ariaLabel={`Remove ${credentialLabel(b)}`}
                tone="danger"
                confirm={`Remove this ${credentialLabel(b)} here and from every terminal holding it?`}
              />
            ) : null,
        },
      ]}
    />
  );
}

function PullForm({ id, csrf, approved }: { id: number; csrf: string; approved: readonly TerminalRow[] }) {
  return (
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
  );
}

export function CredentialsPanel(props: Props) {
  const { enrollid: id, csrf } = props;
  const approved = props.terminals.filter((t) => t.approval === "approved");
  return (
    <section class="panel" aria-labelledby="credentials-title">
      <h2 id="credentials-title">Credentials</h2>
      <CredentialsTable {...props} />
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
          {approved.length > 0 ? <PullForm id={id} csrf={csrf} approved={approved} /> : null}
        </>
      ) : null}
    </section>
  );
}

const pullForm = z.object({ sn: z.string().min(1).max(64), backupnum: z.coerce.number().int() });

/** The panel's forms; refusals (a PIN that is not digits, an unknown terminal) come back as flash messages (ui/errors.ts). */
export function personCredentialPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const personId = (raw: string) => pathId(raw, "person", ENROLLID_MAX);

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
      return backToPerson(c, deps, id, `${what} set`, job);
    });
  }

  app.post("/people/:id/credentials/:backupnum/delete", requireAdmin(), async (c) => {
    const id = personId(c.req.param("id"));
    const backupnum = Number(c.req.param("backupnum"));
    const { job } = await removeCredential(deps, actorOf(c), id, backupnum);
    const what = credentialLabel(backupnum);
    return backToPerson(c, deps, id, `${what} removed`, job);
  });

  return app;
}
