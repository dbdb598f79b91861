/**
 * A saved HR source's settings form (people-import/saved-source.ts): its view, the values it shows,
 * and the form read back as settings, validated by the same schema as the API's HTTP import
 * (people-import/http-source.ts). import-sources.tsx serves it.
 */
import { z } from "zod";
import { describeInput, labelled } from "../../lib/input-problem.ts";
import { httpSource } from "../../people-import/http-source.ts";
import type { SavedSource, SourceSettings } from "../../people-import/saved-source.ts";
import { Field, RadioField } from "../components.tsx";
import { CsrfField, FlashMessage } from "../layout.tsx";

const FIELDS = ["external_id", "name", "enrollid", "enabled", "admin", "valid_from", "valid_to"] as const;
const PAGING = ["none", "page", "offset", "next"] as const;

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
export type FormValues = Record<string, string>;

export function valuesOf(s: SavedSource | null): FormValues {
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
export function parseForm(form: FormData): { ok: true; settings: SourceSettings } | { ok: false; error: string; values: FormValues } {
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

export function SourceForm(props: { action: string; csrf: string; values: FormValues; existing: SavedSource | null; disabled: boolean; error?: string | undefined }) {
  const v = props.values;
  return (
    <form method="post" action={props.action} class="stack form-grid" aria-label="Source settings">
      <CsrfField token={props.csrf} />
      <FlashMessage flash={props.error ? { kind: "error", text: props.error } : null} />
      <fieldset disabled={props.disabled} class="plain-fieldset">
        <Field label="Name" name="name" value={v.name} required placeholder="HR system" />
        <Field label="URL" name="url" type="url" value={v.url} required placeholder="https://hr.example/api/employees" />
        <RadioField
          name="auth"
          label="Authentication"
          labelId="src-auth-label"
          value={v.auth ?? ""}
          options={[
            ...(props.existing?.authHeader ? [["keep", `Keep the stored ${props.existing.authHeader} header (value hidden)`] as const] : []),
            ["none", "None"],
            ["header", "Send a header"],
          ]}
        />
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
        <RadioField
          name="paging_type"
          label="Paging"
          labelId="paging-label"
          value={v.paging_type ?? ""}
          options={[
            ["none", "One page"],
            ["page", "Page numbers (?page=1, 2, … until an empty page)"],
            ["offset", "Offset and limit (?offset=0&limit=100, … until a short page)"],
            ["next", "Each page names the next page's URL"],
          ]}
        />
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

