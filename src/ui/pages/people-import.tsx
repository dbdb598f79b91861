/**
 * /integrations/import: people from HR. A CSV upload is checked first (a dry run: the planned
 * creates, updates and disables, and every bad line with its number), then applied from the
 * result page, which carries the same file text back. Saved HTTP JSON sources are listed here;
 * their settings and runs are import-sources.tsx. Both apply through runImport, as the API does.
 */
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { csvEntries, MAX_CSV_BYTES } from "../../people-import/csv-source.ts";
import { type ImportRun, type PlanView, runImport } from "../../app/people-import.ts";
import { parseSavedSource } from "../../people-import/saved-source.ts";
import { serialNumber } from "../../protocol/index.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ago, Badge, EmptyState, MANY_TERMINALS } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { IntegrationTabs } from "./integrations.tsx";
import { sourceUrlFor } from "./import-sources.tsx";

/** The run options every import form carries (checkbox "on", terminal serials). */
export function importOptions(form: FormData): { dryRun: boolean; disableMissing: boolean; pushTo: string[] } {
  // A checkbox each, or (a site with many terminals) one box of serial numbers separated by spaces or commas.
  const pushTo = form.getAll("push_to").flatMap((v) => (typeof v === "string" ? v.split(/[\s,]+/) : [])).flatMap((v) => {
    const sn = serialNumber.safeParse(v);
    return sn.success ? [sn.data] : [];
  });
  return { dryRun: form.get("mode") !== "apply", disableMissing: form.get("disable_missing") === "on", pushTo };
}

/** The dry run's options, applied unchanged (the plan shown was made with them). */
export function CarriedOptions({ disableMissing, pushTo }: { disableMissing: boolean; pushTo: readonly string[] }) {
  return (
    <>
      {disableMissing ? <input type="hidden" name="disable_missing" value="on" /> : null}
      {pushTo.map((sn) => (
        <input type="hidden" name="push_to" value={sn} />
      ))}
      <p class="muted">
        {disableMissing ? "People missing from the source will be disabled. " : ""}
        {pushTo.length > 0
          ? `New people have no card, PIN, fingerprint or face yet (an import brings none), so no terminal can hold them and nothing is sent to ${pushTo.join(", ")} now: give each a card or PIN on their page, then push them from there.`
          : "New people are not sent to any terminal yet."}
      </p>
    </>
  );
}

/** Which terminals receive the people an import creates (others get updates through the people sync). */
export function PushToField({ terminals, checked }: { terminals: TerminalRow[]; checked: readonly string[] }) {
  const approved = terminals.filter((t) => t.approval === "approved");
  if (approved.length === 0) return null;
  if (approved.length > MANY_TERMINALS) {
    // Issue 13: 20,000 checkboxes are a page of megabytes; the serial numbers are typed instead.
    return (
      <div class="field">
        <label for="f-push-to">Send new people to terminals (serial numbers, separated by spaces or commas)</label>
        <textarea id="f-push-to" name="push_to" rows={2} maxlength={10_000}>
          {checked.join(" ")}
        </textarea>
        <p class="hint">Changes to people a terminal already holds reach it anyway.</p>
      </div>
    );
  }
  return (
    <fieldset class="plain-fieldset">
      <legend class="label">Send new people to terminals</legend>
      <div class="checks">
        {approved.map((t) => (
          <label>
            <input type="checkbox" name="push_to" value={t.sn} checked={checked.includes(t.sn)} /> {t.name || t.sn}
          </label>
        ))}
      </div>
      <p class="hint">Changes to people a terminal already holds reach it anyway.</p>
    </fieldset>
  );
}

function ChangeList({ changes }: { changes: Record<string, [unknown, unknown]> }) {
  const show = (v: unknown) => (v === null || v === undefined || v === "" ? "—" : String(v));
  return (
    <ul class="change-list">
      {Object.entries(changes).map(([field, [before, after]]) => (
        <li>
          {field}: <del>{show(before)}</del> → <ins>{show(after)}</ins>
        </li>
      ))}
    </ul>
  );
}

type Change = PlanView["creates"][number];

function ChangeTable({ title, kind, rows, showChanges }: { title: string; kind: string; rows: Change[]; showChanges: boolean }) {
  if (rows.length === 0) return null;
  return (
    <section class="panel" aria-label={title} data-plan={kind}>
      <h2>
        {title} <span class="tab-count">{rows.length}</span>
      </h2>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Enroll id</th>
              <th scope="col">External id</th>
              <th scope="col">Name</th>
              {showChanges ? <th scope="col">Changes</th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-external-id={r.external_id}>
                <td class="mono">{r.line ?? "—"}</td>
                <td class="mono">{r.enrollid}</td>
                <td class="mono">{r.external_id}</td>
                <td>{r.name}</td>
                {showChanges ? (
                  <td>
                    <ChangeList changes={r.changes} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** After a dry run: the same import once more, applied (`children` carry what it needs). */
export function ApplyForm({ action, csrf, cancel, children }: { action: string; csrf: string; cancel: string; children: Child }) {
  return (
    <form method="post" action={action} class="stack" aria-label="Apply the import">
      <CsrfField token={csrf} />
      <input type="hidden" name="mode" value="apply" />
      {children}
      <div>
        <button type="submit" class="btn btn-primary">
          Apply these changes
        </button>{" "}
        <a class="btn btn-plain" href={cancel}>
          Cancel
        </a>
      </div>
    </form>
  );
}

/** A dry run's plan or an applied run's outcome; `applyForm` is offered after a dry run with changes. */
export function ImportResult({ run, applyForm }: { run: ImportRun; applyForm: Child }) {
  const s = run.summary;
  const changes = s.creates + s.updates + s.disables;
  return (
    <>
      <section class="panel" aria-labelledby="summary-h" data-panel="import-summary">
        <h2 id="summary-h">{run.dry_run ? "Dry run: nothing was changed yet" : "Import applied"}</h2>
        <p class="chips" data-summary>
          <Badge tone="info">{s.creates} to create</Badge> <Badge tone="info">{s.updates} to update</Badge> <Badge tone={s.disables > 0 ? "warn" : "muted"}>{s.disables} to disable</Badge>{" "}
          <Badge tone="muted">{s.unchanged} unchanged</Badge> <Badge tone={s.errors > 0 ? "error" : "ok"}>{s.errors} bad</Badge>
        </p>
        {run.dry_run ? (
          changes > 0 ? applyForm : <p class="muted">Nothing to change.</p>
        ) : (
          <>
            <p data-applied>
              Applied {run.applied} of {changes} changes.
              {run.jobs.length > 0 ? (
                <>
                  {" "}Carrying them to terminals:{" "}
                  {run.jobs.map((id) => (
                    <>
                      <a href={`/jobs/${id}`}>job {id}</a>{" "}
                    </>
                  ))}
                </>
              ) : null}
            </p>
            {run.failed.length > 0 ? (
              <ul class="tone-error">
                {run.failed.map((f) => (
                  <li>
                    {f.external_id} ({f.enrollid}): {f.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
      </section>
      {run.errors.length > 0 ? (
        <section class="panel" aria-labelledby="errors-h" data-plan="errors">
          <h2 id="errors-h">
            Bad entries, not imported <span class="tab-count">{run.errors.length}</span>
          </h2>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">External id</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {run.errors.map((e) => (
                  <tr data-line={String(e.line)}>
                    <td class="mono">{e.line}</td>
                    <td class="mono">{e.external_id ?? "—"}</td>
                    <td class="tone-error">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <ChangeTable title={run.dry_run ? "To create" : "Created"} kind="creates" rows={run.creates} showChanges={false} />
      <ChangeTable title={run.dry_run ? "To update" : "Updated"} kind="updates" rows={run.updates} showChanges />
      <ChangeTable title={run.dry_run ? "To disable (missing from the source)" : "Disabled"} kind="disables" rows={run.disables} showChanges={false} />
    </>
  );
}

export function peopleImportPages(deps: UiDeps) {
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
          {sources.length === 0 ? (
            <EmptyState title="No HR source saved">Configure an HR system's JSON API once (URL, field mapping, paging), then import from it whenever you want.</EmptyState>
          ) : (
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col">Disables missing</th>
                    <th scope="col">Last run</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {sources.map(parseSavedSource).map((s) => (
                    <tr data-source={s.name}>
                      <td>
                        <a href={`/integrations/import/sources/${s.id}`}>{s.name}</a>
                        <div class="muted small mono">{sourceUrlFor(c, s.url)}</div>
                      </td>
                      <td>{s.disableMissing ? "yes" : "no"}</td>
                      <td class="nowrap">{ago(s.lastRunAt, now)}</td>
                      <td>{s.lastResult ?? <span class="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
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
    const run = await runImport(deps, actorOf(c), entries, { ...o, source: "csv" });
    const applyForm = (
      <ApplyForm action="/integrations/import/csv" csrf={c.get("session").csrfToken} cancel="/integrations/import">
        <input type="hidden" name="csv" value={text} />
        <CarriedOptions disableMissing={o.disableMissing} pushTo={o.pushTo} />
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
