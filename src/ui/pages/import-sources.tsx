/**
 * /integrations/import/sources/…: an HR system's JSON API saved once (URL, auth header, where
 * the list is, field mapping, paging, "disable people missing from the source") and run on
 * demand: a dry run first, then apply. The settings are validated by the API's own schema
 * (people-import/http-source.ts); the auth value is sealed and never shown back.
 */
import { type Context, Hono } from "hono";
import { createImportSource, deleteImportSource, importFromSource, readImportSource, updateImportSource } from "../../app/people-import.ts";
import { parseSavedSource } from "../../people-import/saved-source.ts";
import type { PeopleImportSourceRow, TerminalRow } from "../../store/schema.ts";
import { parsePathId, pathId } from "../../lib/path-id.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, ago, EmptyState, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { BACKGROUND_ABOVE, type ImportRuns } from "./import-runs.tsx";
import { ApplyForm, CarriedOptions, ImportResult, importOptions, PushToField } from "./import-parts.tsx";
import { type FormValues, parseForm, SourceForm, valuesOf } from "./import-source-form.tsx";


/**
 * The HR source's URL as a viewer sees it: its origin only (a path or query often carries an API
 * key, userinfo a password). Admins, who edit it, see it whole.
 */
export function sourceUrlFor(c: Context<UiEnv>, url: string): string {
  if (c.get("user").role === "admin") return url;
  return URL.canParse(url) ? `${new URL(url).origin}/…` : "…";
}

/** The dry run's form; applying follows from the dry run's result. */
function RunPanel({ href, csrf, terminals }: { href: string; csrf: string; terminals: TerminalRow[] }) {
  return (
    <section class="panel" aria-labelledby="run-h">
      <h2 id="run-h">Import now</h2>
      <form method="post" action={`${href}/run`} class="stack">
        <CsrfField token={csrf} />
        <input type="hidden" name="mode" value="dry" />
        <PushToField terminals={terminals} checked={[]} />
        <div>
          <button type="submit" class="btn btn-primary">
            Dry run
          </button>
        </div>
      </form>
    </section>
  );
}

export function importSourcePages(deps: UiDeps, runs: ImportRuns) {
  const app = new Hono<UiEnv>();
  const base = "/integrations/import/sources";
  const sources = deps.store.importSources;
  const title = (s: string) => ({ title: s, active: "integrations" as const });

  const load = async (raw: string): Promise<PeopleImportSourceRow | null> => {
    const id = parsePathId(raw);
    return id === null ? null : sources.get(id);
  };
  const notFound = (c: Context<UiEnv>) => page(c, deps.settings.siteName, title("Source not found"), <EmptyState title="No HR source with this id" />, 404);

  const newForm = (c: Context<UiEnv>, values: FormValues, error?: string) =>
    page(
      c,
      deps.settings.siteName,
      title("New HR source"),
      <section class="panel">
        <SourceForm action={base} csrf={c.get("session").csrfToken} values={values} existing={null} disabled={false} error={error} />
      </section>,
      error ? 400 : 200,
    );

  const detail = async (c: Context<UiEnv>, row: PeopleImportSourceRow, form?: { values: FormValues; error: string }) => {
    const s = parseSavedSource(row);
    const isAdmin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const href = `${base}/${s.id}`;
    return page(
      c,
      deps.settings.siteName,
      {
        ...title(s.name),
        actions: isAdmin ? <ActionButton action={`${href}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the HR source ${s.name}? People already imported stay.`} /> : undefined,
      },
      <>
        <p class="subtitle">
          <a href="/integrations/import">People import</a> · last run {ago(s.lastRunAt, deps.now())}
          {s.lastRunAt ? ` (${siteTime(deps.settings.clock, s.lastRunAt)}): ${s.lastResult ?? ""}` : ""}
        </p>
        {isAdmin ? <RunPanel href={href} csrf={csrf} terminals={await deps.store.listTerminals()} /> : null}
        <section class="panel" aria-labelledby="src-settings-h">
          <h2 id="src-settings-h">Settings</h2>
          <SourceForm action={href} csrf={csrf} values={form?.values ?? { ...valuesOf(s), url: sourceUrlFor(c, s.url) }} existing={s} disabled={!isAdmin} error={form?.error} />
        </section>
      </>,
      form ? 400 : 200,
    );
  };

  app.get(`${base}/new`, requireAdmin(), (c) => newForm(c, valuesOf(null)));

  app.post(base, requireAdmin(), async (c) => {
    const parsed = parseForm(await c.req.formData());
    if (!parsed.ok) return newForm(c, parsed.values, parsed.error);
    const row = await createImportSource(deps, actorOf(c), parsed.settings);
    return redirectWith(c, `${base}/${row.id}`, "ok", `Source ${row.name} saved. Try a dry run.`);
  });

  app.get(`${base}/:id`, async (c) => {
    const row = await load(c.req.param("id"));
    return row ? detail(c, row) : notFound(c);
  });

  app.post(`${base}/:id`, requireAdmin(), async (c) => {
    const row = await load(c.req.param("id"));
    if (!row) return notFound(c);
    const parsed = parseForm(await c.req.formData());
    if (!parsed.ok) return detail(c, row, { values: parsed.values, error: parsed.error });
    await updateImportSource(deps, actorOf(c), row.id, parsed.settings);
    return redirectWith(c, `${base}/${row.id}`, "ok", "Source saved.");
  });

  app.post(`${base}/:id/delete`, requireAdmin(), async (c) => {
    const row = await deleteImportSource(deps, actorOf(c), pathId(c.req.param("id"), "HR source"));
    return redirectWith(c, "/integrations/import", "ok", `Source ${row.name} deleted.`);
  });

  app.post(`${base}/:id/run`, requireAdmin(), async (c) => {
    const row = await load(c.req.param("id"));
    if (!row) return notFound(c);
    const href = `${base}/${row.id}`;
    const o = importOptions(await c.req.formData());
    const source = parseSavedSource(row);
    const actor = actorOf(c);
    const read = await readImportSource(deps, actor, row.id, o.dryRun);
    if (!read.ok) return redirectWith(c, href, "error", `The source could not be read: ${read.error}`.slice(0, 400));
    if (!o.dryRun && read.entries.length > BACKGROUND_ABOVE) {
      const id = runs.start({ title: source.name, back: { href, text: source.name } }, (onProgress) => importFromSource(deps, actor, read, { ...o, onProgress }), deps.log);
      return c.redirect(`/integrations/import/runs/${id}`, 303);
    }
    const run = await importFromSource(deps, actor, read, o);
    const applyForm = (      <ApplyForm action={`${href}/run`} csrf={c.get("session").csrfToken} cancel={href}>
        <CarriedOptions disableMissing={source.disableMissing} pushTo={o.pushTo} takesNoNames={await deps.store.people.namesRefused()} />
        <p class="muted">The source is read again when you apply: changes made there since this dry run are included.</p>
      </ApplyForm>
    );
    return page(
      c,
      deps.settings.siteName,
      { ...title(`${source.name}: ${run.dry_run ? "dry run" : "imported"}`), flash: null },
      <>
        <p class="subtitle">
          <a href={href}>{source.name}</a> · <span class="mono">{sourceUrlFor(c, source.url)}</span>
        </p>
        <ImportResult run={run} applyForm={applyForm} />
      </>,
    );
  });

  return app;
}
