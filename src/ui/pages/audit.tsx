/** /audit: who changed what, newest first, filtered by actor, action or target. */
import { Hono } from "hono";
import { z } from "zod";
import { actorChoices, actorLabel, knownActors } from "../actor-labels.ts";
import { EmptyState, Pager, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { pageFromQuery } from "../paging.ts";
import { page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { type TargetLabel, targetLabels } from "../target-labels.ts";

const PAGE = 50;
const text = z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().max(200).optional());
const auditQuery = z.object({ actor: text, action: text, target: text, cursor: text });

/** A target in words, linking its page where it has one, and the entries about it (by the stored target, its tooltip). */
function Target({ stored, label }: { stored: string; label: TargetLabel }) {
  const entries = `/audit?target=${encodeURIComponent(stored)}`;
  if (!label.href) return <a href={entries} title={stored}>{label.text}</a>;
  return (
    <>
      <a href={label.href} title={stored}>{label.text}</a>{" "}
      <a href={entries} class="muted small" title={`Entries about ${stored}`}>entries</a>
    </>
  );
}

export function auditPage(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.get("/audit", async (c) => {
    const parsed = auditQuery.safeParse(c.req.query());
    const f = parsed.success ? parsed.data : {};
    const filter = {
      limit: PAGE,
      ...(f.actor ? { actor: f.actor } : {}),
      ...(f.action ? { action: f.action } : {}),
      ...(f.target ? { target: f.target } : {}),
    };
    const base = new URLSearchParams();
    for (const k of ["actor", "action", "target"] as const) if (f[k]) base.set(k, f[k]);
    const { page: result, query } = await pageFromQuery(f.cursor, (cursor) => deps.store.auditLog({ ...filter, ...(cursor ? { cursor } : {}) }), base);
    const clock = deps.settings.clock;
    // The users and tokens both label the rows' actors and fill the Actor filter's choices.
    const [known, about] = await Promise.all([knownActors(deps.store), targetLabels(deps.store, result.items)]);
    return page(
      c,
      deps.settings.siteName,
      { title: "Audit log", active: "audit" },
      <>
        <form method="get" action="/audit" class="filters" aria-label="Filter">
          <div class="field">
            <label for="f-actor">Actor</label>
            <input id="f-actor" name="actor" value={f.actor} list="f-actors" placeholder="a user, an API token, …" />
            <datalist id="f-actors">
              {actorChoices(known).map((a) => (
                <option value={a.id} label={a.label} />
              ))}
            </datalist>
          </div>
          <div class="field">
            <label for="f-action">Action</label>
            <input id="f-action" name="action" value={f.action} placeholder="terminal.approve" />
          </div>
          <div class="field">
            <label for="f-target">Target</label>
            <input id="f-target" name="target" value={f.target} placeholder="serial number, user, …" />
          </div>
          <div class="filter-buttons">
            <button type="submit" class="btn btn-primary">
              Filter
            </button>
            <a href="/audit" class="btn btn-plain">
              Reset
            </a>
          </div>
        </form>
        {result.items.length === 0 ? (
          <EmptyState title="No entries match">Every change made in the UI, the API or the command line is recorded here.</EmptyState>
        ) : (
          <Table
            rows={result.items}
            columns={[
              { head: "Time", class: "nowrap", cell: (a) => siteTime(clock, a.at) },
              { head: "Actor", cell: (a) => <a href={`/audit?actor=${encodeURIComponent(a.actor)}`} title={a.actor}>{actorLabel(a.actor, known)}</a> },
              { head: "Action", cell: (a) => <a href={`/audit?action=${encodeURIComponent(a.action)}`}>{a.action}</a> },
              { head: "Target", cell: (a) => (a.target ? <Target stored={a.target} label={about(a.action, a.target)} /> : <span class="muted">—</span>) },
              { head: "Result", class: (a) => `nowrap ${a.result === "ok" ? "tone-ok" : a.result.startsWith("failed") ? "tone-error" : ""}`, cell: (a) => a.result },
              { head: "Details", class: "mono small", cell: (a) => <div class="audit-details">{a.details ?? ""}</div> },
            ]}
          />
        )}
        <Pager base="/audit" query={query} next={result.next} shown={result.items.length} />
      </>,
    );
  });
  return app;
}
