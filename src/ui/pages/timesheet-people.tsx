/**
 * Timesheets → Months: pick a person (/timesheets/people), see their month as a calendar of daily
 * results with totals (/timesheets/people/{enrollid}?month=YYYY-MM), and one day in detail
 * (…/days/{date}: the pairs, the punches with their photos, the corrections and leave).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { listPeople } from "../../app/people.ts";
import { ENROLLID_MAX, parseDate } from "../../protocol/index.ts";
import { pathId } from "../../lib/path-id.ts";
import { EmptyState, Pager, SearchForm } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { page } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { monthRange, monthSchema, TimesheetTabs } from "../timesheets/area.tsx";
import { SummaryTotals } from "../timesheets/day-parts.tsx";
import { MonthCalendar } from "../timesheets/month-calendar.tsx";
import { loadMonth } from "../timesheets/month-data.ts";
import { dayPage } from "./timesheet-day.tsx";

const PAGE = 50;

/** The month in the query, else the current one on the site clock. */
export function monthOf(c: Context<UiEnv>, deps: UiDeps): string {
  return monthSchema.catch(deps.settings.clock.format(deps.now()).slice(0, 7)).parse(c.req.query("month") ?? "");
}

export function timesheetPeoplePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  app.get("/timesheets/people", async (c) => {
    const q = z.string().trim().max(100).catch("").parse(c.req.query("q") ?? "");
    const load = (cursor: string | undefined) => listPeople(deps.store, { limit: PAGE, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) });
    const { page: result, query } = await pageFromQuery(c.req.query("cursor"), load, q ? { q } : {});
    const month = monthOf(c, deps);
    return page(
      c,
      deps.settings.siteName,
      { title: "Timesheets", active: "timesheets" },
      <>
        <TimesheetTabs active="people" />
        <SearchForm action="/timesheets/people" q={q} placeholder="Name, payroll number or enroll id" />
        {result.items.length === 0 ? (
          <EmptyState title="Nobody found">{q ? "Try another name or number." : "Add people on the People page first."}</EmptyState>
        ) : (
          <ul class="person-list">
            {result.items.map((p) => (
              <li>
                <a href={`/timesheets/people/${p.enrollid}?month=${month}`}>{p.name || `#${p.enrollid}`}</a> <span class="muted">#{p.enrollid}</span>
              </li>
            ))}
          </ul>
        )}
        <Pager base="/timesheets/people" query={query} next={result.next} shown={result.items.length} order="key" />
      </>,
    );
  });

  app.get("/timesheets/people/:enrollid{[0-9]+}", async (c) => {
    const enrollid = pathId(c.req.param("enrollid"), "person", ENROLLID_MAX);
    const range = monthRange(monthOf(c, deps));
    const [data, person] = await Promise.all([loadMonth(deps, enrollid, range), deps.store.getPerson(enrollid)]);
    const name = person?.name || `#${enrollid}`;
    return page(
      c,
      deps.settings.siteName,
      {
        title: `${name} · ${range.month}`,
        active: "timesheets",
        actions: (
          <>
            <a class="btn btn-plain" href={`/timesheets/people/${enrollid}?month=${range.prev}`} rel="prev">
              « {range.prev}
            </a>
            <a class="btn btn-plain" href={`/timesheets/people/${enrollid}?month=${range.next}`} rel="next">
              {range.next} »
            </a>
            <a class="btn btn-plain" href={`/timesheets/print?month=${range.month}&enrollid=${enrollid}`}>
              Print sheet
            </a>
          </>
        ),
      },
      <>
        <TimesheetTabs active="people" />
        <MonthCalendar data={data} />
        <section class="panel">
          <h2>Totals for {range.month}</h2>
          <SummaryTotals summary={data.summary} />
          {data.days.size === 0 ? <p class="muted">No results are stored for this month yet: they appear as punches arrive, or after a rebuild.</p> : null}
        </section>
      </>,
    );
  });

  app.get("/timesheets/people/:enrollid{[0-9]+}/days/:date{[0-9]{4}-[0-9]{2}-[0-9]{2}}", async (c) => {
    const enrollid = pathId(c.req.param("enrollid"), "person", ENROLLID_MAX);
    const date = parseDate(c.req.param("date"));
    if (date === null) return c.text("Not a date.", 404);
    return dayPage(c, deps, enrollid, date);
  });

  return app;
}

