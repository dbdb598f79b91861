/**
 * /attendance, /door-events and /quarantine (their CSV exports are in exports.tsx). Keyset pagination on the
 * (time, id) indexes: a page costs the same at row 10 and at row 1,000,000, and nothing counts
 * the whole table.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { notADate } from "../../lib/input-problem.ts";
import { DOOR_ALARM_EVENTS, parseDate } from "../../protocol/index.ts";
import type { PunchFilter } from "../../store/contract.ts";
import { imageResponse } from "../../lib/image-response.ts";
import { AppError, notFound } from "../../lib/app-error.ts";
import { enrollidsNamed } from "../../app/people.ts";
import type { Store } from "../../store/contract.ts";
import { Badge, EmptyState, Pager, PunchPhoto, siteTime, TerminalFilter } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { pageOrFirst } from "../paging.ts";
import { datePresets } from "../date-presets.ts";
import { doorEventIsAlarm, doorEventLabel, inoutLabel, punchEventLabel, refusedLabel, verificationLabel } from "../labels.ts";
import { page } from "../layout.tsx";

const PAGE = 50;

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);
const date = z.preprocess(
  blankToUndefined,
  z
    .string()
    .transform((s, ctx) => parseDate(s) ?? (ctx.addIssue({ code: "custom", message: notADate(s) }), z.NEVER))
    .optional(),
);

export const recordFilterSchema = z.object({
  from: date,
  to: date,
  enrollid: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(2 ** 31).optional()),
  /** An enroll id (digits) or part of a name, accents and case ignored. */
  person: z.preprocess(blankToUndefined, z.string().trim().min(1).max(100).optional()),
  /** Door events: only those that are alarms. */
  alarms: z.preprocess(blankToUndefined, z.literal("1").optional()),
  /** Attendance: only the punches the server refused at the door. */
  refused: z.preprocess(blankToUndefined, z.literal("1").optional()),
  sn: z.preprocess(blankToUndefined, z.string().max(64).optional()),
  inout: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(255).optional()),
  cursor: z.preprocess(blankToUndefined, z.string().max(200).optional()),
});
export type RecordFilter = z.infer<typeof recordFilterSchema>;

/** The day after a "YYYY-MM-DD" date: the form's "to" is inclusive, the store's bound exclusive. */
function nextDay(d: string): string {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

const isEnrollid = (person: string) => /^\d{1,10}$/.test(person);

/** The people a name in the person filter stands for (undefined: no name given, or an enroll id). */
export async function peopleOf(store: Store, f: RecordFilter): Promise<readonly number[] | undefined> {
  return f.person === undefined || isEnrollid(f.person) ? undefined : enrollidsNamed(store, f.person);
}

/** `named`: what `peopleOf` found for the filter's name. */
export function storeFilter(f: RecordFilter, limit: number, named?: readonly number[]): PunchFilter {
  const out: PunchFilter = { limit };
  if (f.from) out.from = f.from;
  if (f.to) out.to = nextDay(f.to);
  if (f.enrollid !== undefined) out.enrollid = f.enrollid;
  if (f.person !== undefined && isEnrollid(f.person)) out.enrollid = Number(f.person);
  if (named !== undefined) out.enrollids = named;
  if (f.alarms) out.events = DOOR_ALARM_EVENTS;
  if (f.refused) out.refused = true;
  if (f.sn) out.sn = f.sn;
  if (f.inout !== undefined) out.inout = f.inout;
  if (f.cursor) out.cursor = f.cursor;
  return out;
}

/** The filter as a query string (without the cursor): for the export link and the pager. */
function queryOf(f: RecordFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  if (f.enrollid !== undefined) q.set("enrollid", String(f.enrollid));
  if (f.person !== undefined) q.set("person", f.person);
  if (f.alarms) q.set("alarms", f.alarms);
  if (f.refused) q.set("refused", f.refused);
  if (f.sn) q.set("sn", f.sn);
  if (f.inout !== undefined) q.set("inout", String(f.inout));
  return q;
}

export function recordPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  const parseFilter = (c: Context<UiEnv>): { filter: RecordFilter; error: string | null } => {
    const parsed = recordFilterSchema.safeParse(c.req.query());
    if (parsed.success) return { filter: parsed.data, error: null };
    const issue = parsed.error.issues[0];
    return { filter: {}, error: `${issue?.path.join(".") ?? "filter"}: ${issue?.message ?? "invalid"}` };
  };

  /** The filter and the people its name stands for; a name matching too many people is the page's error. */
  const withPeople = async (c: Context<UiEnv>) => {
    const parsed = parseFilter(c);
    try {
      return { ...parsed, named: await peopleOf(deps.store, parsed.filter) };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return { filter: {}, error: e.message, named: undefined };
    }
  };

  const safely = <T,>(load: (f: RecordFilter) => Promise<T>, f: RecordFilter): Promise<T> => pageOrFirst((cursor) => load({ ...f, cursor }), f.cursor);

  const filterForm = async (action: string, f: RecordFilter, opts: { person: boolean; exportHref?: string }) => {
    const presetQuery = (from: string, to: string) => {
      const q = queryOf({ ...f, from, to });
      return `${action}?${q.toString()}`;
    };
    return (
      <>
      <nav class="presets" aria-label="Date presets">
        {datePresets(deps.settings.clock.format(deps.now()).slice(0, 10)).map((p) => (
          <a href={presetQuery(p.from, p.to)} class="btn btn-plain" aria-current={f.from === p.from && f.to === p.to ? "true" : undefined}>
            {p.label}
          </a>
        ))}
      </nav>
      <form method="get" action={action} class="filters" aria-label="Filter">
        <div class="field">
          <label for="f-from">From</label>
          <input id="f-from" type="date" name="from" value={f.from} />
        </div>
        <div class="field">
          <label for="f-to">To (inclusive)</label>
          <input id="f-to" type="date" name="to" value={f.to} />
        </div>
        {opts.person ? (
          <>
            <div class="field">
              <label for="f-person">Person (name or enroll id)</label>
              <input id="f-person" type="search" name="person" maxlength={100} value={f.person ?? (f.enrollid === undefined ? undefined : String(f.enrollid))} />
            </div>
            <div class="field field-check">
              <label>
                <input type="checkbox" name="refused" value="1" checked={f.refused === "1"} /> Refused only
              </label>
            </div>
          </>
        ) : (
          <div class="field field-check">
            <label>
              <input type="checkbox" name="alarms" value="1" checked={f.alarms === "1"} /> Alarms only
            </label>
          </div>
        )}
        <TerminalFilter id="f-sn" value={f.sn} />
        <div class="field">
          <label for="f-inout">In/out</label>
          <select id="f-inout" name="inout">
            <option value="">In and out</option>
            <option value="0" selected={f.inout === 0}>
              In
            </option>
            <option value="1" selected={f.inout === 1}>
              Out
            </option>
          </select>
        </div>
        <div class="filter-buttons">
          <button type="submit" class="btn btn-primary">
            Filter
          </button>
          <a href={action} class="btn btn-plain">
            Reset
          </a>
          {opts.exportHref ? (
            <a href={opts.exportHref} class="btn btn-plain" download>
              Export CSV
            </a>
          ) : null}
        </div>
      </form>
      </>
    );
  };

  /** Names of the page's terminals only: at most PAGE look-ups, not the site's 20,000 terminals per page view. */
  const terminalNames = async (rows: ReadonlyArray<{ sn: string }>) => {
    const found = await Promise.all([...new Set(rows.map((r) => r.sn))].map((sn) => deps.store.getTerminal(sn)));
    return new Map(found.flatMap((t) => (t ? [[t.sn, t.name || t.sn] as const] : [])));
  };

  app.get("/attendance", async (c) => {
    const { filter, error, named } = await withPeople(c);
    const result = await safely((f) => deps.store.attendance(storeFilter(f, PAGE, named)), filter);
    const [names, terminals, photos] = await Promise.all([
      deps.store.admin.peopleLabels(result.items.map((r) => r.enrollid)),
      terminalNames(result.items),
      deps.store.withPhotos(result.items.map((r) => r.id)),
    ]);
    const query = queryOf(filter);
    return page(
      c,
      deps.settings.siteName,
      { title: "Attendance", active: "attendance", flash: error ? { kind: "error", text: error } : undefined },
      <>
        {await filterForm("/attendance", filter, { person: true, exportHref: `/attendance.csv?${query.toString()}` })}
        {result.items.length === 0 ? (
          <EmptyState title={result.next ? "No punches match in this stretch" : "No punches match"}>
            {result.next ? "In/out alone is searched a stretch at a time: look further with Older, or add a date range." : query.size > 0 ? "Widen the date range or clear a filter." : "Punches appear here as terminals upload them."}
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Person</th>
                  <th scope="col">Terminal</th>
                  <th scope="col">Verification</th>
                  <th scope="col">In/out</th>
                  <th scope="col">Event</th>
                  <th scope="col">Photo</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((r) => (
                  <tr>
                    <td class="nowrap">{r.time}</td>
                    <td>
                      {names.get(r.enrollid)?.name || <span class="muted">Unknown</span>} <span class="muted">#{r.enrollid}</span>
                    </td>
                    <td>
                      <a href={`/terminals/${encodeURIComponent(r.sn)}`}>{terminals.get(r.sn) ?? r.sn}</a>
                    </td>
                    <td>{verificationLabel(r.mode, r.verifymode)}</td>
                    <td>{inoutLabel(r.inout)}</td>
                    <td>
                      {punchEventLabel(r.event)} {r.refused ? <Badge tone="error">Refused: {refusedLabel(r.refused)}</Badge> : null}
                    </td>
                    <td>{photos.has(r.id) ? <PunchPhoto id={r.id} time={r.time} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager base="/attendance" query={withCursor(query, filter.cursor)} next={result.next} shown={result.items.length} />
      </>,
    );
  });

  // A face terminal's photo of a punch, for the logged-in (the thumbnails and their enlargement).
  app.get("/attendance/:id{[0-9]{1,15}}/photo", async (c) => {
    const id = Number(c.req.param("id"));
    const photo = await deps.store.punchPhoto(id);
    if (!photo) throw notFound(`punch ${id} has no photo`);
    return imageResponse(photo.data, `punch-${id}`, c.req.header("if-none-match"));
  });

  app.get("/door-events", async (c) => {
    const { filter, error } = parseFilter(c);
    const { enrollid: _none, person: _nobody, refused: _punchesOnly, ...doorFilter } = filter;
    const result = await safely((f) => deps.store.doorEvents(storeFilter(f, PAGE)), doorFilter);
    const terminals = await terminalNames(result.items);
    const query = queryOf(doorFilter);
    return page(
      c,
      deps.settings.siteName,
      { title: "Door events", active: "door-events", flash: error ? { kind: "error", text: error } : undefined },
      <>
        {await filterForm("/door-events", doorFilter, { person: false, exportHref: `/door-events.csv?${query.toString()}` })}
        {result.items.length === 0 ? (
          <EmptyState title={result.next ? "No door events match in this stretch" : "No door events match"}>
            {result.next ? "In/out and alarms are searched a stretch at a time: look further with Older, or add a date range." : "Door sensors, exit buttons and alarms appear here."}
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Terminal</th>
                  <th scope="col">Event</th>
                  <th scope="col">Code</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((r) => (
                  <tr>
                    <td class="nowrap">{r.time}</td>
                    <td>
                      <a href={`/terminals/${encodeURIComponent(r.sn)}`}>{terminals.get(r.sn) ?? r.sn}</a>
                    </td>
                    <td>{doorEventIsAlarm(r.event) ? <Badge tone="error">{doorEventLabel(r.event)}</Badge> : doorEventLabel(r.event)}</td>
                    <td class="muted mono">
                      event {r.event} · mode {r.mode} · inout {r.inout}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager base="/door-events" query={withCursor(query, doorFilter.cursor)} next={result.next} shown={result.items.length} />
      </>,
    );
  });

  app.get("/quarantine", async (c) => {
    const cursor = z.string().max(200).optional().catch(undefined).parse(c.req.query("cursor"));
    const load = (cur: string | undefined) => deps.store.quarantined({ limit: PAGE, ...(cur ? { cursor: cur } : {}) });
    const result = await safely((f) => load(f.cursor), { cursor });
    const clock = deps.settings.clock;
    return page(
      c,
      deps.settings.siteName,
      { title: "Quarantine", active: "quarantine" },
      <>
        <p class="subtitle">Records a terminal sent that could not be stored as they were. The raw data is kept here; the rest of each batch was stored and acknowledged.</p>
        {result.items.length === 0 ? (
          <EmptyState title="Nothing quarantined">Every record received so far was readable.</EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Terminal</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Raw data</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((q) => (
                  <tr>
                    <td class="nowrap">{siteTime(clock, q.receivedAt)}</td>
                    <td>{q.sn ? <a href={`/terminals/${encodeURIComponent(q.sn)}`}>{q.sn}</a> : <span class="muted">—</span>}</td>
                    <td>{q.kind}</td>
                    <td>{q.reason}</td>
                    <td>
                      <details>
                        <summary>{q.raw.length > 60 ? `${q.raw.slice(0, 60)}…` : q.raw}</summary>
                        <pre class="raw">{q.raw.length > 20_000 ? `${q.raw.slice(0, 20_000)}… (${q.raw.length} characters)` : q.raw}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager base="/quarantine" query={withCursor(new URLSearchParams(), cursor)} next={result.next} shown={result.items.length} />
      </>,
    );
  });

  return app;
}

function withCursor(query: URLSearchParams, cursor: string | undefined): URLSearchParams {
  const q = new URLSearchParams(query);
  if (cursor) q.set("cursor", cursor);
  return q;
}
