/**
 * Who is inside (issue 16): /presence, kept live from the dashboard's feed by
 * web/islands/live-presence.ts, and its printable muster list (/presence/muster). Read from
 * `PresenceLive`, which follows the punches at the site entrances.
 */
import { Hono } from "hono";
import type { PresenceView } from "../../terminals/presence-live.ts";
import { EmptyState, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { page, PrintBar, printPage } from "../layout.tsx";
import { Table } from "../table.tsx";

type Inside = PresenceView["items"][number];

/** The list of who is inside: the /presence page's live part (web/islands/live-presence.ts fetches it again after punches). */
function PresenceTable({ deps, view }: { deps: UiDeps; view: PresenceView }) {
  return (
    <div data-presence="" data-count={String(view.count)}>
      <p class="subtitle">
        <strong>{view.count}</strong> {view.count === 1 ? "person" : "people"} inside · as of {siteTime(deps.settings.clock, view.asOf)}
      </p>
      {view.entrances.length === 0 ? (
        <EmptyState title="No terminal is marked as a site entrance">Mark the terminals at the site's doors as site entrances on their pages; their punches then say who is inside.</EmptyState>
      ) : (
        <Table
          rows={view.items}
          empty={<EmptyState title="Nobody is inside" />}
          row={(i) => ({ "data-enrollid": String(i.enrollid) })}
          columns={[
            { head: "Person", cell: (i) => <a href={`/people/${i.enrollid}`}>{i.name ?? `#${i.enrollid}`}</a> },
            { head: "Enroll ID", class: "mono", cell: (i) => i.enrollid },
            { head: "Inside since", class: "nowrap", cell: (i) => i.time },
            { head: "Came in at", cell: (i) => i.door },
          ]}
        />
      )}
    </div>
  );
}

function PresencePage({ deps, view }: { deps: UiDeps; view: PresenceView }) {
  return (
    <>
      <p class="muted small">
        From the punches at the site entrances ({view.entrances.length === 0 ? "none marked yet" : view.entrances.map((e) => e.name ?? e.sn).join(", ")}) over the last 24 hours: in or out as
        Timesheets → Rules reads each terminal, a terminal without a direction alternating. Refused punches do not count. Live: a punch updates the list.
      </p>
      <PresenceTable deps={deps} view={view} />
    </>
  );
}

/** The muster list to print: everyone inside by name, with a box to tick at the assembly point. */
function MusterSheet({ siteName, view, at }: { siteName: string; view: PresenceView; at: string }) {
  const people = [...view.items].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "") || a.enrollid - b.enrollid);
  return (
    <>
      <PrintBar back="/presence" />
      <section class="sheet muster">
        <div class="sheet-head">
          <h1>Muster list · {siteName}</h1>
          <p>
            {view.count} {view.count === 1 ? "person" : "people"} inside at {at}
          </p>
        </div>
        <Table<Inside>
          sheet
          rows={people}
          attrs={{ "data-muster": "" }}
          columns={[
            { head: "Person", cell: (i) => i.name ?? `#${i.enrollid}` },
            { head: "Enroll ID", cell: (i) => i.enrollid },
            { head: "Inside since", cell: (i) => i.time },
            { head: "Came in at", cell: (i) => i.door },
            { head: "Accounted for", class: "muster-check", cell: () => "☐" },
          ]}
        />
      </section>
    </>
  );
}

export function presencePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  app.get("/presence", async (c) => {
    await deps.presence.settled();
    const view = deps.presence.view();
    // The live island asks for the list alone.
    if (c.req.query("part") === "list") return c.html(<PresenceTable deps={deps} view={view} />, 200, { "cache-control": "no-store" });
    const actions = (
      <a class="btn btn-primary" href="/presence/muster">
        Muster list
      </a>
    );
    return page(c, deps.settings.siteName, { title: "Who is inside", active: "doors", actions }, <PresencePage deps={deps} view={view} />);
  });

  app.get("/presence/muster", async (c) => {
    await deps.presence.settled();
    const view = deps.presence.view();
    const at = siteTime(deps.settings.clock, view.asOf);
    return printPage(c, deps.settings.siteName, `Muster list ${at}`, <MusterSheet siteName={deps.settings.siteName} view={view} at={at} />);
  });

  return app;
}
