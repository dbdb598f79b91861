/**
 * /integrations/import: people from HR. A CSV upload is checked first (a dry run: the planned
 * creates, updates and disables, and every bad line with its number), then applied from the
 * result page, which carries the same file text back (a large file applies in the background, its
 * page a live bar: import-runs.tsx). Saved HTTP JSON sources are listed here;
 * their settings and runs are import-sources.tsx. Both apply through runImport, as the API does.
 */
import { Hono } from "hono";
import { csvEntries, MAX_CSV_BYTES } from "../../people-import/csv-source.ts";
import { runImport } from "../../app/people-import.ts";
import { parseSavedSource } from "../../people-import/saved-source.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ago, EmptyState } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { IntegrationTabs } from "./integrations.tsx";
import { ApplyForm, CarriedOptions, ImportResult, importOptions, PushToField } from "./import-parts.tsx";
import { BACKGROUND_ABOVE, type ImportRuns } from "./import-runs.tsx";
import { sourceUrlFor } from "./import-sources.tsx";

export function peopleImportPages(deps: UiDeps, runs: ImportRuns) {
  const app = new Hono<UiEnv>();

  app.get("/integrations/import", async (c) => {
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const [terminals, sources] = await Promise.all([deps.store.listTerminals(), deps.store.importSources.list()]);
    const now = deps.now();
    return page(
      c,
      deps.settings.siteName,
      { title: "Integrations", active: "integrations" },
      <>
        <IntegrationTabs active="import" />
        <section class="panel" aria-labelledby="csv-h" data-panel="csv">
          <h2 id="csv-h">Import a CSV file</h2>
          <p class="muted">
            A header line names the columns: <span class="mono">external_id</span> and <span class="mono">name</span> are required; <span class="mono">enrollid</span>,{" "}
            <span class="mono">enabled</span>, <span class="mono">admin</span>, <span class="mono">valid_from</span>, <span class="mono">valid_to</span> are optional. People are matched by
            external id. You see what would change before anything is saved.
          </p>
          {admin ? (
            <form method="post" action="/integrations/import/csv" enctype="multipart/form-data" class="stack form-grid">
              <CsrfField token={csrf} />
              <input type="hidden" name="mode" value="dry" />
              <div class="field">
                <label for="f-file">CSV file</label>
                <input id="f-file" name="file" type="file" accept=".csv,text/csv" required />
              </div>
              <div class="field field-check">
                <input type="checkbox" id="f-disable_missing" name="disable_missing" />
                <label for="f-disable_missing">Disable people missing from the file</label>
              </div>
              <PushToField terminals={terminals} checked={[]} />
              <div>
                <button type="submit" class="btn btn-primary">
                  Check the file (dry run)
                </button>
              </div>
            </form>
          ) : (
            <p class="muted">Only admins can import people.</p>
          )}
        </section>

        <section class="panel" aria-labelledby="sources-h" data-panel="sources">
          <div class="page-header">
            <h2 id="sources-h">HR systems (HTTP JSON)</h2>
            {admin ? (
              <a class="btn btn-primary" href="/integrations/import/sources/new">
                Add source
              </a>
            ) : null}
          </div>
          <Table
            rows={sources.map(parseSavedSource)}
            row={(s) => ({ "data-source": s.name })}
            empty={<EmptyState title="No HR source saved">Configure an HR system's JSON API once (URL, field mapping, paging), then import from it whenever you want.</EmptyState>}
            columns={[
              {
                head: "Source",
                cell: (s) => (
                  <>
                    <a href={`/integrations/import/sources/${s.id}`}>{s.name}</a>
                    <div class="muted small mono">{sourceUrlFor(c, s.url)}</div>
                  </>
                ),
              },
              { head: "Disables missing", cell: (s) => (s.disableMissing ? "yes" : "no") },
              { head: "Last run", class: "nowrap", cell: (s) => ago(s.lastRunAt, now) },
              { head: "Result", cell: (s) => s.lastResult ?? <span class="muted">—</span> },
            ]}
          />
        </section>
      </>,
    );
  });

  app.post("/integrations/import/csv", requireAdmin(), async (c) => {
    const form = await c.req.formData();
    const file = form.get("file");
    const carried = form.get("csv");
    let text: string;
    if (typeof carried === "string") text = carried;
    else if (file instanceof File && file.size > 0) {
      if (file.size > MAX_CSV_BYTES) return redirectWith(c, "/integrations/import", "error", `The file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB.`);
      text = await file.text();
    } else return redirectWith(c, "/integrations/import", "error", "Choose a CSV file.");
    const entries = csvEntries(text);
    const o = importOptions(form);
    if (!o.dryRun && entries.length > BACKGROUND_ABOVE) {
      const actor = actorOf(c);
      const back = { href: "/integrations/import", text: "People import" };
      const id = runs.start({ title: "CSV import", back }, (onProgress) => runImport(deps, actor, entries, { ...o, source: "csv", onProgress }), deps.log);
      return c.redirect(`/integrations/import/runs/${id}`, 303);
    }
    const run = await runImport(deps, actorOf(c), entries, { ...o, source: "csv" });
    const applyForm = (
      <ApplyForm action="/integrations/import/csv" csrf={c.get("session").csrfToken} cancel="/integrations/import">
        <input type="hidden" name="csv" value={text} />
        <CarriedOptions disableMissing={o.disableMissing} pushTo={o.pushTo} takesNoNames={await deps.store.people.namesRefused()} />
      </ApplyForm>
    );
    return page(
      c,
      deps.settings.siteName,
      { title: run.dry_run ? "CSV import: dry run" : "CSV import: done", active: "integrations", flash: null },
      <>
        <p class="subtitle">
          <a href="/integrations/import">People import</a>
        </p>
        <ImportResult run={run} applyForm={applyForm} />
      </>,
    );
  });

  return app;
}
