/**
 * /attendance, /door-events and /quarantine (their filter is record-filter.tsx, their CSV exports
 * exports.tsx). Keyset pagination on the (time, id) indexes: a page costs the same at row 10 and
 * at row 1,000,000, and nothing counts the whole table.
 */
import { type Context, Hono } from "hono";
import { AppError, notFound } from "../../lib/app-error.ts";
import { imageResponse } from "../../lib/image-response.ts";
import type { Page } from "../../store/contract.ts";
import type { AttendanceRow, DoorEventRow, QuarantineRow } from "../../store/schema.ts";
import { pathId } from "../../lib/path-id.ts";
import { Badge, EmptyState, Pager, PunchPhoto, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { doorEventIsAlarm, doorEventLabel, inoutLabel, punchEventLabel, refusedLabel, verificationLabel } from "../labels.ts";
import { page } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { type Column, Table } from "../table.tsx";
import { doorEventFilter, filterProblem, peopleOf, queryOf, type RecordFilter, RecordFilterForm, recordFilterSchema, storeFilter, typedFilter } from "./record-filter.tsx";

const PAGE = 50;

const terminalLink = (sn: string, names: ReadonlyMap<string, string>) => <a href={`/terminals/${encodeURIComponent(sn)}`}>{names.get(sn) ?? sn}</a>;

/**
 * A filtered record list, its time first. A page that is empty but not the last (`next`) is a
 * stretch searched without a match, not the end of the list: `stretch` says so.
 */
function RecordTable<R extends { time: string }>(props: { result: Page<R>; what: string; stretch: string; empty: string; columns: Column<R>[] }) {
  const { result } = props;
  return (
    <Table
      rows={result.items}
      empty={
        <EmptyState title={result.next ? `No ${props.what} match in this stretch` : `No ${props.what} match`}>
          {result.next ? props.stretch : props.empty}
        </EmptyState>
      }
      columns={[{ head: "Time", class: "nowrap", cell: (r) => r.time }, ...props.columns]}
    />
  );
}

function AttendanceTable(props: { result: Page<AttendanceRow>; filtered: boolean; names: ReadonlyMap<number, { name: string }>; terminals: ReadonlyMap<string, string>; photos: ReadonlySet<number> }) {
  const { names, terminals } = props;
  return (
    <RecordTable
      result={props.result}
      what="punches"
      stretch="In/out alone is searched a stretch at a time: look further with Older, or add a date range."
      empty={props.filtered ? "Widen the date range or clear a filter." : "Punches appear here as terminals upload them."}
      columns={[
        {
          head: "Person",
          cell: (r) => (
            <>
              {names.get(r.enrollid)?.name || <span class="muted">Unknown</span>} <span class="muted">#{r.enrollid}</span>
            </>
          ),
        },
        { head: "Terminal", cell: (r) => terminalLink(r.sn, terminals) },
        { head: "Verification", cell: (r) => verificationLabel(r.mode, r.verifymode) },
        { head: "In/out", cell: (r) => inoutLabel(r.inout) },
        {
          head: "Event",
          cell: (r) => (
            <>
              {punchEventLabel(r.event)} {r.refused ? <Badge tone="error">Refused: {refusedLabel(r.refused)}</Badge> : null}
            </>
          ),
        },
        { head: "Photo", cell: (r) => (props.photos.has(r.id) ? <PunchPhoto id={r.id} time={r.time} /> : null) },
      ]}
    />
  );
}

function DoorEventTable(props: { result: Page<DoorEventRow>; terminals: ReadonlyMap<string, string> }) {
  return (
    <RecordTable
      result={props.result}
      what="door events"
      stretch="In/out and alarms are searched a stretch at a time: look further with Older, or add a date range."
      empty="Door sensors, exit buttons and alarms appear here."
      columns={[
        { head: "Terminal", cell: (r) => terminalLink(r.sn, props.terminals) },
        { head: "Event", cell: (r) => (doorEventIsAlarm(r.event) ? <Badge tone="error">{doorEventLabel(r.event)}</Badge> : doorEventLabel(r.event)) },
        { head: "Code", class: "muted mono", cell: (r) => `event ${r.event} · mode ${r.mode} · inout ${r.inout}` },
      ]}
    />
  );
}

function QuarantineTable(props: { result: Page<QuarantineRow>; deps: UiDeps }) {
  const clock = props.deps.settings.clock;
  return (
    <Table
      rows={props.result.items}
      empty={<EmptyState title="Nothing quarantined">Every record received so far was readable.</EmptyState>}
      columns={[
        { head: "Received", class: "nowrap", cell: (q) => siteTime(clock, q.receivedAt) },
        { head: "Terminal", cell: (q) => (q.sn ? <a href={`/terminals/${encodeURIComponent(q.sn)}`}>{q.sn}</a> : <span class="muted">—</span>) },
        { head: "Kind", cell: (q) => q.kind },
        { head: "Reason", cell: (q) => q.reason },
        {
          head: "Raw data",
          cell: (q) => (
            <details>
              <summary>{q.raw.length > 60 ? `${q.raw.slice(0, 60)}…` : q.raw}</summary>
              <pre class="raw">{q.raw.length > 20_000 ? `${q.raw.slice(0, 20_000)}… (${q.raw.length} characters)` : q.raw}</pre>
            </details>
          ),
        },
      ]}
    />
  );
}

export function recordPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  /** The filter to query, and (`shown`) what the form shows: a refused filter queries nothing but keeps what was typed. */
  const parseFilter = (c: Context<UiEnv>): { filter: RecordFilter; shown: RecordFilter; error: string | null } => {
    const parsed = recordFilterSchema.safeParse(c.req.query());
    if (parsed.success) return { filter: parsed.data, shown: parsed.data, error: null };
    return { filter: {}, shown: typedFilter(c.req.query()), error: filterProblem(parsed.error) };
  };

  /** The filter and the people its name stands for; a name matching too many people is the page's error. */
  const withPeople = async (c: Context<UiEnv>) => {
    const parsed = parseFilter(c);
    try {
      return { ...parsed, named: await peopleOf(deps.store, parsed.filter) };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return { filter: {}, shown: parsed.shown, error: e.message, named: undefined };
    }
  };

  /** A filtered list's page (a stale cursor: its first) and the pager's query, which keeps the filter. */
  const filteredPage = <T,>(f: RecordFilter, load: (f: RecordFilter) => Promise<T>) =>
    pageFromQuery(f.cursor, (cursor) => load({ ...f, cursor }), queryOf(f));

  const today = () => deps.settings.clock.format(deps.now()).slice(0, 10);

  /** Names of the page's terminals only: at most PAGE look-ups, not the site's 20,000 terminals per page view. */
  const terminalNames = async (rows: ReadonlyArray<{ sn: string }>) => {
    const sns = [...new Set(rows.map((r) => r.sn))];
    const found = (await deps.store.terminalsPage({ sns, limit: sns.length })).items;
    return new Map(found.map((t) => [t.sn, t.name || t.sn] as const));
  };

  app.get("/attendance", async (c) => {
    const { filter, shown, error, named } = await withPeople(c);
    const { page: result, query } = await filteredPage(filter, (f) => deps.store.attendance(storeFilter(f, PAGE, named)));
    const [names, terminals, photos] = await Promise.all([
      deps.store.admin.peopleLabels(result.items.map((r) => r.enrollid)),
      terminalNames(result.items),
      deps.store.withPhotos(result.items.map((r) => r.id)),
    ]);
    const base = queryOf(filter);
    return page(
      c,
      deps.settings.siteName,
      { title: "Attendance", active: "attendance", flash: error ? { kind: "error", text: error } : undefined },
      <>
        <RecordFilterForm action="/attendance" filter={shown} today={today()} person exportHref={`/attendance.csv?${base.toString()}`} />
        <AttendanceTable result={result} filtered={base.size > 0} names={names} terminals={terminals} photos={photos} />
        <Pager base="/attendance" query={query} next={result.next} shown={result.items.length} />
      </>,
    );
  });

  // A face terminal's photo of a punch, for the logged-in (the thumbnails and their enlargement).
  app.get("/attendance/:id/photo", async (c) => {
    const id = pathId(c.req.param("id"), "punch");
    const photo = await deps.store.punchPhoto(id);
    if (!photo) throw notFound(`punch ${id} has no photo`);
    return imageResponse(photo.data, `punch-${id}`, c.req.header("if-none-match"));
  });

  app.get("/door-events", async (c) => {
    const { filter, shown, error } = parseFilter(c);
    const doorFilter = doorEventFilter(filter);
    const { page: result, query } = await filteredPage(doorFilter, (f) => deps.store.doorEvents(storeFilter(f, PAGE)));
    const terminals = await terminalNames(result.items);
    return page(
      c,
      deps.settings.siteName,
      { title: "Door events", active: "door-events", flash: error ? { kind: "error", text: error } : undefined },
      <>
        <RecordFilterForm action="/door-events" filter={error ? shown : doorFilter} today={today()} person={false} exportHref={`/door-events.csv?${queryOf(doorFilter).toString()}`} />
        <DoorEventTable result={result} terminals={terminals} />
        <Pager base="/door-events" query={query} next={result.next} shown={result.items.length} />
      </>,
    );
  });

  app.get("/quarantine", async (c) => {
    const { page: result, query } = await pageFromQuery(c.req.query("cursor"), (cursor) => deps.store.quarantined({ limit: PAGE, ...(cursor ? { cursor } : {}) }));
    return page(
      c,
      deps.settings.siteName,
      { title: "Quarantine", active: "quarantine" },
      <>
        <p class="subtitle">Records a terminal sent that could not be stored as they were. The raw data is kept here; the rest of each batch was stored and acknowledged.</p>
        <QuarantineTable result={result} deps={deps} />
        <Pager base="/quarantine" query={query} next={result.next} shown={result.items.length} />
      </>,
    );
  });

  return app;
}
