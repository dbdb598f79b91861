/**
 * /integrations/import/sources/…: an HR system's JSON API saved once (URL, auth header, where
 * the list is, field mapping, paging, "disable people missing from the source") and run on
 * demand: a dry run first, then apply. The settings are validated by the API's own schema
 * (people-import/http-source.ts); the auth value is sealed and never shown back.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { createImportSource, deleteImportSource, runImportSource, updateImportSource } from "../../app/people-import.ts";
import { httpSource } from "../../people-import/http-source.ts";
import { parseSavedSource, type SavedSource, type SourceSettings } from "../../people-import/saved-source.ts";
import { describeInput, labelled } from "../../lib/input-problem.ts";
import type { PeopleImportSourceRow } from "../../store/schema.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, ago, EmptyState, Field, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, FlashMessage, page } from "../layout.tsx";
import { ApplyForm, CarriedOptions, ImportResult, importOptions, PushToField } from "./import-parts.tsx";

const FIELDS = ["external_id", "name", "enrollid", "enabled", "admin", "valid_from", "valid_to"] as const;
const PAGING = ["none", "page", "offset", "next"] as const;
const idParam = z.coerce.number().int().positive();

const formSchema = z.object({
  name: z.string().trim().min(1, "give the source a name").max(100),
  url: z.string().trim(),
  auth: z.enum(["keep", "none", "header"]).default("none"),
  auth_name: z.string().trim().default(""),
  auth_value: z.string().default(""),
  items: z.string().trim().default(""),
  paging_type: z.enum(PAGING).default("none"),
  page_param: z.string().trim().default(""),
  size_param: z.string().trim().default(""),
  page_size: z.string().trim().default(""),
  page_start: z.string().trim().default(""),
  next_path: z.string().trim().default(""),
  disable_missing: z.literal("on").optional(),
  ...Object.fromEntries(FIELDS.map((f) => [`map_${f}`, z.string().trim().default("")])),
});
type FormValues = Record<string, string>;

/**
 * The HR source's URL as a viewer sees it: its origin only (a path or query often carries an API
 * key, userinfo a password). Admins, who edit it, see it whole.
 */
export function sourceUrlFor(c: Context<UiEnv>, url: string): string {
  if (c.get("user").role === "admin") return url;
  return URL.canParse(url) ? `${new URL(url).origin}/…` : "…";
}

function valuesOf(s: SavedSource | null): FormValues {
  if (!s) return { auth: "none", paging_type: "none" };
  const p = s.paging;
  return {
    name: s.name,
    url: s.url,
    auth: s.authHeader ? "keep" : "none",
    items: s.mapping.items,
    paging_type: p.type,
    page_param: p.type === "page" || p.type === "offset" ? p.param : "",
    size_param: (p.type === "page" || p.type === "offset" ? p.size_param : undefined) ?? "",
    page_size: String((p.type === "page" || p.type === "offset" ? p.size : undefined) ?? ""),
    page_start: p.type === "page" ? String(p.start) : "",
    next_path: p.type === "next" ? p.path : "",
    disable_missing: s.disableMissing ? "on" : "",
    ...Object.fromEntries(FIELDS.map((f) => [`map_${f}`, s.mapping.fields[f] ?? ""])),
  };
}

/** The form's and the source schema's fields as the form labels them (a mapped field keeps its own name). */
const LABEL = labelled({
  name: "Name",
  url: "URL",
  auth_name: "Header name",
  auth_value: "Header value",
  headers: "Header value",
  items: "Where the list is in each page",
  page_param: "Page / offset parameter",
  size_param: "Page size parameter",
  page_size: "Page size",
  page_start: "First page number",
  next_path: "Next-page URL path",
  "paging.param": "Page / offset parameter",
  "paging.size_param": "Page size parameter",
  "paging.size": "Page size",
  "paging.start": "First page number",
  "paging.path": "Next-page URL path",
  "mapping.items": "Where the list is in each page",
});

/** The form as SourceSettings, validated by the same schema the API's HTTP import uses. */
function parseForm(form: FormData): { ok: true; settings: SourceSettings } | { ok: false; error: string; values: FormValues } {
  // What goes back into the form on an error: everything typed but the secret.
  const raw: FormValues = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && k !== "auth_value" && k !== "_csrf") raw[k] = v;
  const f = formSchema.safeParse({ ...raw, auth_value: form.get("auth_value") ?? "" });
  if (!f.success) return { ok: false, error: describeInput(f.error, LABEL), values: raw };
  const d = f.data as z.infer<typeof formSchema> & Record<string, string>;
  const num = (s: string) => (s === "" ? undefined : Number(s));
  const opt = (s: string) => (s === "" ? undefined : s);
  const paging =
    d.paging_type === "page" ? { type: "page", param: opt(d.page_param), start: num(d.page_start), size_param: opt(d.size_param), size: num(d.page_size) } :
    d.paging_type === "offset" ? { type: "offset", param: opt(d.page_param), size_param: opt(d.size_param), size: num(d.page_size) } :
    d.paging_type === "next" ? { type: "next", path: d.next_path } : { type: "none" };
  const mapping = Object.fromEntries(FIELDS.flatMap((field) => (d[`map_${field}`] ? [[field, d[`map_${field}`]]] : [])));
  const auth = d.auth === "header" ? { headers: { [d.auth_name]: d.auth_value } } : {};
  const checked = httpSource.safeParse({ url: d.url, items: d.items, mapping, paging, ...auth });
  if (!checked.success) return { ok: false, error: describeInput(checked.error, LABEL), values: raw };
  if (d.auth === "header" && d.auth_value === "") return { ok: false, error: "Header value: fill this in", values: raw };
  const s = checked.data;
  return {
    ok: true,
    settings: {
      name: d.name,
      url: s.url,
      ...(d.auth === "keep" ? {} : { auth: d.auth === "header" ? { name: d.auth_name, value: d.auth_value } : null }),
      mapping: { items: s.items, fields: s.mapping },
      paging: s.paging,
      disableMissing: d.disable_missing === "on",
    },
  };
}

function SourceForm(props: { action: string; csrf: string; values: FormValues; existing: SavedSource | null; disabled: boolean; error?: string | undefined }) {
  const v = props.values;
  const radio = (name: string, value: string, label: string) => (
    <label>
      <input type="radio" name={name} value={value} checked={(v[name] ?? "") === value} /> {label}
    </label>
  );
  return (
    <form method="post" action={props.action} class="stack form-grid" aria-label="Source settings">
      <CsrfField token={props.csrf} />
      <FlashMessage flash={props.error ? { kind: "error", text: props.error } : null} />
      <fieldset disabled={props.disabled} class="plain-fieldset">
        <Field label="Name" name="name" value={v.name} required placeholder="HR system" />
        <Field label="URL" name="url" type="url" value={v.url} required placeholder="https://hr.example/api/employees" />
        <div class="field">
          <span class="label" id="src-auth-label">
            Authentication
          </span>
          <div class="radios" role="radiogroup" aria-labelledby="src-auth-label">
            {props.existing?.authHeader ? radio("auth", "keep", `Keep the stored ${props.existing.authHeader} header (value hidden)`) : null}
            {radio("auth", "none", "None")}
            {radio("auth", "header", "Send a header")}
          </div>
        </div>
        <Field label="Header name" name="auth_name" value={v.auth_name} placeholder="Authorization" />
        <Field label="Header value" name="auth_value" type="password" autocomplete="new-password" hint="e.g. Bearer … ; stored encrypted, never shown again." />
        <Field label="Where the list is in each page" name="items" value={v.items} placeholder="data.items" hint="A dot path; empty when the page itself is the list." />
        <fieldset class="plain-fieldset">
          <legend class="label">Field mapping (dot paths inside one item; empty: the field's own name)</legend>
          <div class="inline-fields">
            {FIELDS.map((f) => (
              <Field label={f} name={`map_${f}`} value={v[`map_${f}`]} placeholder={f} />
            ))}
          </div>
        </fieldset>
        <div class="field">
          <span class="label" id="paging-label">
            Paging
          </span>
          <div class="radios" role="radiogroup" aria-labelledby="paging-label">
            {radio("paging_type", "none", "One page")}
            {radio("paging_type", "page", "Page numbers (?page=1, 2, … until an empty page)")}
            {radio("paging_type", "offset", "Offset and limit (?offset=0&limit=100, … until a short page)")}
            {radio("paging_type", "next", "Each page names the next page's URL")}
          </div>
        </div>
        <div class="inline-fields">
          <Field label="Page / offset parameter" name="page_param" value={v.page_param} placeholder="page" />
          <Field label="Page size parameter" name="size_param" value={v.size_param} placeholder="limit" />
          <Field label="Page size" name="page_size" type="number" min={1} value={v.page_size} placeholder="100" />
          <Field label="First page number" name="page_start" type="number" min={0} value={v.page_start} placeholder="1" />
          <Field label="Next-page URL path" name="next_path" value={v.next_path} placeholder="links.next" />
        </div>
        <div class="field field-check">
          <input type="checkbox" id="f-src-disable" name="disable_missing" checked={v.disable_missing === "on"} />
          <label for="f-src-disable">Disable people missing from the source</label>
        </div>
        {props.disabled ? null : (
          <div>
            <button type="submit" class="btn btn-primary">
              {props.existing ? "Save source" : "Add source"}
            </button>
          </div>
        )}
      </fieldset>
    </form>
  );
}

export function importSourcePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const base = "/integrations/import/sources";
  const sources = deps.store.importSources;
  const title = (s: string) => ({ title: s, active: "integrations" as const });

  const load = async (raw: string): Promise<PeopleImportSourceRow | null> => {
    const id = idParam.safeParse(raw);
    return id.success ? sources.get(id.data) : null;
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
        {isAdmin ? (
          <section class="panel" aria-labelledby="run-h">
            <h2 id="run-h">Import now</h2>
            <form method="post" action={`${href}/run`} class="stack">
              <CsrfField token={csrf} />
              <input type="hidden" name="mode" value="dry" />
              <PushToField terminals={await deps.store.listTerminals()} checked={[]} />
              <div>
                <button type="submit" class="btn btn-primary">
                  Dry run
                </button>
              </div>
            </form>
          </section>
        ) : null}
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
    const row = await deleteImportSource(deps, actorOf(c), Number(c.req.param("id")));
    return redirectWith(c, "/integrations/import", "ok", `Source ${row.name} deleted.`);
  });

  app.post(`${base}/:id/run`, requireAdmin(), async (c) => {
    const row = await load(c.req.param("id"));
    if (!row) return notFound(c);
    const href = `${base}/${row.id}`;
    const o = importOptions(await c.req.formData());
    const source = parseSavedSource(row);
    const outcome = await runImportSource(deps, actorOf(c), row.id, o);
    if (!outcome.ok) return redirectWith(c, href, "error", `The source could not be read: ${outcome.error}`.slice(0, 400));
    const run = outcome.run;
    const applyForm = (      <ApplyForm action={`${href}/run`} csrf={c.get("session").csrfToken} cancel={href}>
        <CarriedOptions disableMissing={source.disableMissing} pushTo={o.pushTo} />
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
