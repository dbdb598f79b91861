/**
 * /people/held: the changes terminals sent that wait for an admin (a raised admin level, a replaced
 * PIN, card or template, an enrolment the site holds), with the terminal and address they came
 * from. Approve applies one and carries it to the other doors; reject discards it. Viewers see the
 * list but decide nothing. The same use cases as the API's.
 */
import { Hono } from "hono";
import { approveHeldChange, type HeldChangeView, listHeldChanges, rejectHeldChange } from "../../app/held-changes.ts";
import { pathId } from "../../lib/path-id.ts";
import type { ChangeReason } from "../../people/terminal-change.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Pager, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { credentialLabel } from "../labels.ts";
import { pageFromQuery } from "../paging.ts";
import { page } from "../layout.tsx";
import { Table } from "../table.tsx";

const PAGE = 50;
const ADMIN_LEVELS = ["User", "Administrator", "Super user"];
const level = (n: number) => ADMIN_LEVELS[n] ?? `Level ${n}`;

const REASONS: Record<ChangeReason, string> = {
  "new-person": "New person",
  "admin-raised": "Admin level raised",
  "credential-replaced": "Replaces a stored credential",
  "credential-added": "Adds a credential",
  "reserved-enrollid": "Enroll id reserved for scans of nobody enrolled",
};

/** What approving would change, in words: never the credential itself. */
function whatChanges(h: HeldChangeView): string[] {
  const out: string[] = [];
  const what = credentialLabel(h.credential.backupnum);
  const shown = h.credential.masked === null ? what : `${what} ${h.credential.masked}`;
  if (h.previousAdmin === null) out.push(`New person${h.name ? ` "${h.name}"` : ""}, ${level(h.admin)}, with ${shown}`);
  else {
    if (h.admin !== h.previousAdmin) out.push(`${level(h.previousAdmin)} → ${level(h.admin)}`);
    out.push(`${h.reasons.includes("credential-replaced") ? "New" : "Adds"} ${shown}`);
    if (h.name && h.name !== h.previousName) out.push(`Name → "${h.name}"`);
  }
  return out;
}

export function heldChangePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const idOf = (raw: string) => pathId(raw, "held change");

  app.get("/people/held", async (c) => {
    const { page: result, query } = await pageFromQuery(c.req.query("cursor"), (cur) => listHeldChanges(deps, { limit: PAGE, ...(cur ? { cursor: cur } : {}) }));
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const clock = deps.settings.clock;
    return page(
      c,
      deps.settings.siteName,
      { title: "Held changes from terminals", active: "people" },
      <>
        <p class="muted">
          A terminal never raises an admin level or replaces a PIN, card or template on its own: anything on the network can pose as a terminal.
          Such changes wait here; nothing of them is applied or sent to other doors until approved. The keypad setting (Settings) decides what
          happens to people enrolled on a keypad.
        </p>
        <Table
          rows={result.items}
          attrs={{ "data-held-changes": "" }}
          row={(h) => ({ "data-held-id": h.id })}
          empty={<EmptyState title="Nothing waits for approval" />}
          columns={[
            { head: "Received", class: "mono", cell: (h) => siteTime(clock, h.at) },
            {
              head: "Person",
              cell: (h) =>
                h.previousAdmin === null ? (
                  <span>
                    {h.name || <span class="muted">(no name)</span>} <span class="mono muted">#{h.enrollid}</span>
                  </span>
                ) : (
                  <a href={`/people/${h.enrollid}`}>
                    {h.previousName || "(no name)"} <span class="mono">#{h.enrollid}</span>
                  </a>
                ),
            },
            {
              head: "Change",
              cell: (h) => (
                <>
                  {whatChanges(h).map((line) => (
                    <div>{line}</div>
                  ))}
                  <span class="chips">
                    {h.reasons.map((r) => (
                      <Badge tone={r === "admin-raised" || r === "credential-replaced" ? "warn" : "muted"}>{REASONS[r]}</Badge>
                    ))}
                  </span>
                </>
              ),
            },
            {
              head: "From",
              cell: (h) => (
                <>
                  <a class="mono" href={`/terminals/${encodeURIComponent(h.sn)}`}>
                    {h.sn}
                  </a>
                  <div class="mono muted small">{h.address ?? "address unknown"}</div>
                  <div class="muted small">{h.via === "senduser" ? "keypad" : "pull"}</div>
                </>
              ),
            },
            admin && {
              head: "Decide",
              cell: (h) => (
                <span class="chips">
                  <ActionButton action={`/people/held/${h.id}/approve`} csrf={csrf} label="Approve" tone="primary" />
                  <ActionButton action={`/people/held/${h.id}/reject`} csrf={csrf} label="Reject" tone="danger" />
                </span>
              ),
            },
          ]}
        />
        <Pager base="/people/held" query={query} next={result.next} shown={result.items.length} />
      </>,
    );
  });

  app.post("/people/held/:id/approve", requireAdmin(), async (c) => {
    const { change, job } = await approveHeldChange(deps, actorOf(c), idOf(c.req.param("id")));
    const who = `#${change.enrollid}`;
    return job
      ? redirectWith(c, `/jobs/${job.id}`, "ok", `Change for ${who} approved; sending it to the other doors.`)
      : redirectWith(c, "/people/held", "ok", `Change for ${who} approved.`);
  });

  app.post("/people/held/:id/reject", requireAdmin(), async (c) => {
    const { change } = await rejectHeldChange(deps, actorOf(c), idOf(c.req.param("id")));
    return redirectWith(c, "/people/held", "ok", `Change for #${change.enrollid} rejected; the terminal it came from keeps its own copy.`);
  });

  return app;
}
