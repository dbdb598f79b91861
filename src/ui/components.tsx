/** Small pieces every page uses: status badges, empty states, pagers, form fields, times. */
import type { Child } from "hono/jsx";
import type { SiteClock } from "../protocol/index.ts";
import { CsrfField } from "./layout.tsx";
import { plural } from "../lib/plural.ts";

export type Tone = "ok" | "warn" | "error" | "muted" | "info";

export function Badge({ tone, children }: { tone: Tone; children: Child }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

export function EmptyState({ title, children }: { title: string; children?: Child }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children ? <p class="empty-text">{children}</p> : null}
    </div>
  );
}

/** Keyset pagination: no page numbers (that would need a count over the table), only first and next. */
/**
 * Cursor paging links. `order`: "time" for a list newest first (records, jobs, the audit log),
 * "key" for one in the order of a serial number, an id or a name, where "newest" and "older" mean nothing.
 */
export function Pager({ base, query, next, shown, order = "time" }: { base: string; query: URLSearchParams; next: string | null; shown: number; order?: "time" | "key" }) {
  const first = new URLSearchParams(query);
  first.delete("cursor");
  const after = new URLSearchParams(query);
  if (next) after.set("cursor", next);
  const hasCursor = query.has("cursor");
  return (
    <nav class="pager" aria-label="Pages">
      <span class="muted">{shown === 0 ? "" : `${plural(shown, "row")} on this page`}</span>
      <span class="pager-links">
        {hasCursor ? <a href={`${base}?${first.toString()}`}>{order === "time" ? "« Newest" : "« First page"}</a> : null}
        {next ? (
          <a href={`${base}?${after.toString()}`} rel="next">
            {order === "time" ? "Older »" : "Next page »"}
          </a>
        ) : null}
      </span>
    </nav>
  );
}

export function Field(props: {
  label: string;
  name: string;
  value?: string | number | null;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  list?: string;
  min?: number;
  max?: number;
  placeholder?: string;
  error?: string;
  /** The form's first field: focused when the page opens (login, first-run setup). */
  autofocus?: boolean;
}) {
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? undefined}
        required={props.required}
        autocomplete={props.autocomplete}
        list={props.list}
        min={props.min}
        max={props.max}
        placeholder={props.placeholder}
        autofocus={props.autofocus}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.hint || props.error ? `${id}-hint` : undefined}
      />
      {props.error ? (
        <p class="field-error" id={`${id}-hint`}>
          {props.error}
        </p>
      ) : props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** Radio buttons under one label: a radiogroup named by it (`labelId`, by default `<name>-label`). */
export function RadioField(props: { name: string; label: string; value: string; options: ReadonlyArray<readonly [string, string]>; hint?: string; labelId?: string }) {
  const labelId = props.labelId ?? `${props.name}-label`;
  return (
    <div class="field">
      <span class="label" id={labelId}>
        {props.label}
      </span>
      <div class="radios" role="radiogroup" aria-labelledby={labelId}>
        {props.options.map(([value, text]) => (
          <label>
            <input type="radio" name={props.name} value={value} checked={props.value === value} /> {text}
          </label>
        ))}
      </div>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
    </div>
  );
}

/** A list page's search box (GET, so the search is in the address and survives a reload). */
export function SearchForm(props: { action: string; q: string; placeholder: string; hidden?: Record<string, string> }) {
  return (
    <form method="get" action={props.action} class="filters" role="search">
      {Object.entries(props.hidden ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <div class="field">
        <label for="f-q">Search</label>
        <input id="f-q" name="q" value={props.q} placeholder={props.placeholder} type="search" />
      </div>
      <div class="filter-buttons">
        <button type="submit" class="btn btn-primary">
          Search
        </button>
      </div>
    </form>
  );
}

/**
 * A terminal filter for a site of thousands (issue 13): a search box, not a `<select>` of every
 * terminal. Without script it takes a serial number as typed; the search-suggest island fills its
 * list with the terminals whose serial number, name or location contains what is typed.
 */
export function TerminalFilter(props: { id: string; value: string | undefined; label?: string; placeholder?: string; required?: boolean }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label ?? "Terminal (serial number)"}</label>
      <input id={props.id} type="search" name="sn" value={props.value} maxlength={64} placeholder={props.placeholder ?? "All terminals"} required={props.required} autocomplete="off" list={`${props.id}-list`} data-suggest={TERMINAL_SEARCH} />
      <datalist id={`${props.id}-list`} />
    </div>
  );
}

/** Above this many terminals a form asks for serial numbers (typed, or searched) instead of a checkbox or option each. */
export const MANY_TERMINALS = 50;

/** The serial numbers of a form's field: ticked one a checkbox, or typed in one box, separated by spaces or commas. */
export function typedSerials(values: readonly unknown[]): string[] {
  return values.flatMap((v) => (typeof v === "string" ? v.split(/[\s,]+/) : [])).filter((v) => v !== "");
}

/** The JSON the search-suggest island asks: `{items: [{value, label}]}`, a few terminals matching `q`. */
export const TERMINAL_SEARCH = "/terminals/search.json";

/** A one-button form posting to `action`; `confirm` asks first (web/app.ts shows the dialog). */
export function ActionButton(props: {
  action: string;
  csrf: string;
  label: string;
  tone?: "primary" | "danger" | "plain";
  confirm?: string;
  fields?: Record<string, string>;
  /** The button's name for screen readers when its short label leans on its row ("Remove" in the PIN's row: "Remove PIN"). */
  ariaLabel?: string;
}) {
  return (
    <form method="post" action={props.action} class="inline-form" data-confirm={props.confirm}>
      <CsrfField token={props.csrf} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={`btn btn-${props.tone ?? "plain"}`} aria-label={props.ariaLabel}>
        {props.label}
      </button>
    </form>
  );
}

/**
 * A punch's photo as a thumbnail linking to the full image (web/islands/photo-viewer.ts opens it
 * in a dialog; without JavaScript the link shows the image itself).
 */
export function PunchPhoto({ id, time }: { id: number; time: string }) {
  const src = `/attendance/${id}/photo`;
  return (
    <a href={src} class="punch-photo" data-photo={src} target="_blank" rel="noopener" title={`Photo taken at ${time}`}>
      <img src={src} alt={`Photo of the punch at ${time}`} width={40} height={40} loading="lazy" decoding="async" />
    </a>
  );
}

/** Site-local wall-clock text for an instant. */
export function siteTime(clock: SiteClock, ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "—" : clock.format(ms);
}

export function ago(ms: number | null | undefined, now: number): string {
  if (ms === null || ms === undefined) return "never";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** "used / size" with a meter; nothing when the terminal never reported the capacity. */
export function Capacity({ used, size, label }: { used: number | null; size: number | null; label: string }) {
  if (used === null || size === null || size <= 0) return <span class="muted">—</span>;
  const ratio = used / size;
  return (
    <span class="capacity" title={`${label}: ${used} of ${size}`}>
      <meter min={0} max={size} value={used} low={size * 0.7} high={size * 0.9} optimum={0} aria-label={`${label} used`} />
      <span class="capacity-text">
        {used}/{size}
        {ratio >= 0.9 ? " ⚠" : ""}
      </span>
    </span>
  );
}
