/**
 * Time and attendance over the API (issue 14): departments, shifts, schedules, holidays, leave
 * types and entries, corrections, the site's punch rules, the daily results (`next` cursor) and
 * the period summary as JSON, CSV or XLSX. The routes only translate: each change is a use case
 * of app/timesheets/ with the token as actor. Reads need `read`, changes `admin` (token-scope.ts).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { addCorrection, deleteCorrection, listCorrections, updateCorrection } from "../../app/timesheets/corrections.ts";
import { createDepartment, deleteDepartment, renameDepartment } from "../../app/timesheets/departments.ts";
import { type TimesheetDeps, today } from "../../app/timesheets/deps.ts";
import { createHoliday, deleteHoliday, updateHoliday } from "../../app/timesheets/holidays.ts";
import { addLeave, createLeaveType, deleteLeave, deleteLeaveType, listLeave, updateLeave, updateLeaveType } from "../../app/timesheets/leave.ts";
import { rebuildTimesheets } from "../../app/timesheets/rebuild.ts";
import { listDays, periodSummary } from "../../app/timesheets/results.ts";
import { setTerminalInterpretation, updateSiteRules } from "../../app/timesheets/rules.ts";
import { createSchedule, deleteSchedule, scheduleView, updateSchedule } from "../../app/timesheets/schedules.ts";
import { createShift, deleteShift, shiftView, updateShift } from "../../app/timesheets/shifts.ts";
import { todayResults } from "../../app/timesheets/today.ts";
import { csvHead, delimiterOf } from "../../export/csv.ts";
import { DAY_CSV_HEADERS, dayCsvRows, loadSheets, summaryCsv, timesheetWorkbook } from "../../export/timesheet-sheets.ts";
import { badRequest, notFound } from "../../lib/app-error.ts";
import { pathId } from "../../lib/path-id.ts";
import { int } from "../../protocol/index.ts";
import { parseBody } from "../body.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

const queryId = int.pipe(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER));
const rangeQuery = z.object({ from: z.string().max(20), to: z.string().max(20) });
const daysQuery = pageQuery.extend({ ...rangeQuery.shape, enrollid: queryId.optional(), departmentId: queryId.optional(), format: z.enum(["json", "csv"]).default("json"), delimiter: z.string().max(10).optional() });
const summaryQuery = rangeQuery.extend({ departmentId: queryId.optional(), format: z.enum(["json", "csv", "xlsx"]).default("json"), delimiter: z.string().max(10).optional() });
const leaveQuery = rangeQuery.extend({ enrollid: queryId.optional() });
const correctionsQuery = z.object({ enrollid: queryId });
const departmentBody = z.strictObject({ name: z.string() });
const interpretationBody = z.strictObject({ interpretation: z.enum(["trust", "pair", "entry", "exit"]) });
const deleteCorrectionBody = z.strictObject({ reason: z.string() });
/** Any JSON object: the use case validates it with its own schema. */
const anyObject = z.record(z.string(), z.unknown());

const idParam = (c: Context, what: string) => pathId(c.req.param("id"), what);

function delimiter(requested: string | undefined) {
  const d = delimiterOf(requested, ",");
  if (d === null) throw badRequest("delimiter: use , or ; (comma or semicolon)");
  return d;
}

function download(c: Context, body: string | Uint8Array, type: string, name: string): Response {
  c.header("content-type", type);
  c.header("content-disposition", `attachment; filename="${name}"`);
  return c.body(typeof body === "string" ? body : (body as Uint8Array<ArrayBuffer>));
}

export function timesheetsApi(deps: TimesheetDeps) {
  const app = new Hono<TokenEnv>();

  // ── departments ──
  app.get("/departments", async (c) => c.json({ items: await deps.store.timesheets.departments() }));
  app.post("/departments", async (c) => c.json(await createDepartment(deps, c.get("actor"), await parseBody(c, departmentBody)), 201));
  app.patch("/departments/:id", async (c) => c.json(await renameDepartment(deps, c.get("actor"), idParam(c, "department"), await parseBody(c, departmentBody))));
  app.delete("/departments/:id", async (c) => {
    await deleteDepartment(deps, c.get("actor"), idParam(c, "department"));
    return c.json({ deleted: true });
  });

  // ── shifts ──
  app.get("/shifts", async (c) => c.json({ items: (await deps.store.timesheets.shifts()).map(shiftView) }));
  app.post("/shifts", async (c) => c.json(await createShift(deps, c.get("actor"), await parseBody(c, anyObject)), 201));
  app.get("/shifts/:id", async (c) => {
    const id = idParam(c, "shift");
    const shift = (await deps.store.timesheets.shifts()).find((s) => s.id === id);
    if (!shift) throw notFound("no such shift");
    return c.json(shiftView(shift));
  });
  app.patch("/shifts/:id", async (c) => c.json(await updateShift(deps, c.get("actor"), idParam(c, "shift"), await parseBody(c, anyObject))));
  app.delete("/shifts/:id", async (c) => {
    await deleteShift(deps, c.get("actor"), idParam(c, "shift"));
    return c.json({ deleted: true });
  });

  // ── schedules ──
  app.get("/schedules", async (c) => c.json({ items: (await deps.store.timesheets.schedules()).map(scheduleView) }));
  app.post("/schedules", async (c) => c.json(await createSchedule(deps, c.get("actor"), await parseBody(c, anyObject)), 201));
  app.patch("/schedules/:id", async (c) => c.json(await updateSchedule(deps, c.get("actor"), idParam(c, "schedule"), await parseBody(c, anyObject))));
  app.delete("/schedules/:id", async (c) => {
    await deleteSchedule(deps, c.get("actor"), idParam(c, "schedule"));
    return c.json({ deleted: true });
  });

  // ── holidays ──
  app.get("/holidays", async (c) => c.json({ items: await deps.store.timesheets.holidays() }));
  app.post("/holidays", async (c) => c.json(await createHoliday(deps, c.get("actor"), await parseBody(c, anyObject)), 201));
  app.patch("/holidays/:id", async (c) => c.json(await updateHoliday(deps, c.get("actor"), idParam(c, "holiday"), await parseBody(c, anyObject))));
  app.delete("/holidays/:id", async (c) => {
    await deleteHoliday(deps, c.get("actor"), idParam(c, "holiday"));
    return c.json({ deleted: true });
  });

  // ── leave types and entries ──
  app.get("/leave-types", async (c) => c.json({ items: await deps.store.timesheets.leaveTypes() }));
  app.post("/leave-types", async (c) => c.json(await createLeaveType(deps, c.get("actor"), await parseBody(c, anyObject)), 201));
  app.patch("/leave-types/:id", async (c) => c.json(await updateLeaveType(deps, c.get("actor"), idParam(c, "leave type"), await parseBody(c, anyObject))));
  app.delete("/leave-types/:id", async (c) => {
    await deleteLeaveType(deps, c.get("actor"), idParam(c, "leave type"));
    return c.json({ deleted: true });
  });
  app.get("/leave", async (c) => {
    const q = parseQuery(leaveQuery, c.req.query());
    return c.json({ items: await listLeave(deps, q) });
  });
  app.post("/leave", async (c) => c.json(await addLeave(deps, c.get("actor"), await parseBody(c, anyObject)), 201));
  app.patch("/leave/:id", async (c) => c.json(await updateLeave(deps, c.get("actor"), idParam(c, "leave entry"), await parseBody(c, anyObject))));
  app.delete("/leave/:id", async (c) => {
    await deleteLeave(deps, c.get("actor"), idParam(c, "leave entry"));
    return c.json({ deleted: true });
  });

  // ── corrections (a missed punch, or a stored punch excluded by its id) ──
  app.get("/corrections", async (c) => c.json({ items: await listCorrections(deps, parseQuery(correctionsQuery, c.req.query()).enrollid) }));
  app.post("/corrections", async (c) => c.json(await addCorrection(deps, c.get("actor"), await parseBody(c, anyObject)), 201));
  app.patch("/corrections/:id", async (c) => c.json(await updateCorrection(deps, c.get("actor"), idParam(c, "correction"), await parseBody(c, anyObject))));
  app.delete("/corrections/:id", async (c) => {
    // The reason comes in the body, or as ?reason= for clients that send no body with a DELETE.
    const fromQuery = c.req.query("reason");
    const { reason } = fromQuery !== undefined ? { reason: fromQuery } : await parseBody(c, deleteCorrectionBody);
    await deleteCorrection(deps, c.get("actor"), idParam(c, "correction"), { reason });
    return c.json({ deleted: true });
  });

  // ── site rules ──
  app.get("/timesheets/rules", async (c) => c.json(await deps.store.timesheets.siteRules()));
  app.patch("/timesheets/rules", async (c) => c.json(await updateSiteRules(deps, c.get("actor"), await parseBody(c, anyObject))));
  app.put("/timesheets/rules/terminals/:sn", async (c) => {
    const { interpretation } = await parseBody(c, interpretationBody);
    return c.json(await setTerminalInterpretation(deps, c.get("actor"), c.req.param("sn"), interpretation));
  });
  app.delete("/timesheets/rules/terminals/:sn", async (c) => c.json(await setTerminalInterpretation(deps, c.get("actor"), c.req.param("sn"), null)));

  // ── results ──
  app.get("/timesheets/days", async (c) => {
    const q = parseQuery(daysQuery, c.req.query());
    const filter = { from: q.from, to: q.to, ...(q.enrollid !== undefined ? { enrollid: q.enrollid } : {}), ...(q.departmentId !== undefined ? { departmentId: q.departmentId } : {}) };
    if (q.format === "csv") {
      const d = delimiter(q.delimiter);
      const sheets = await loadSheets(deps, filter);
      return download(c, csvHead(DAY_CSV_HEADERS, d) + dayCsvRows(sheets.days, sheets.names, d), "text/csv; charset=utf-8", `timesheet-days-${q.from}-${q.to}.csv`);
    }
    return c.json(await listDays(deps, { ...filter, limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) }));
  });

  app.get("/timesheets/summary", async (c) => {
    const q = parseQuery(summaryQuery, c.req.query());
    const filter = { from: q.from, to: q.to, ...(q.departmentId !== undefined ? { departmentId: q.departmentId } : {}) };
    if (q.format === "json") return c.json({ from: q.from, to: q.to, items: await periodSummary(deps, filter) });
    const sheets = await loadSheets(deps, filter);
    if (q.format === "csv") return download(c, summaryCsv(sheets.summary, sheets.names, delimiter(q.delimiter)), "text/csv; charset=utf-8", `timesheet-summary-${q.from}-${q.to}.csv`);
    const book = await timesheetWorkbook(sheets);
    return download(c, book, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `timesheets-${q.from}-${q.to}.xlsx`);
  });

  /** Everyone's day so far (computed now, not stored). */
  app.get("/timesheets/today", async (c) => c.json({ date: today(deps), items: await todayResults(deps) }));

  app.post("/timesheets/rebuild", async (c) => {
    const range = await parseBody(c, rangeQuery);
    const started = await rebuildTimesheets(deps, c.get("actor"), range);
    // The rebuild goes on after the answer; its progress is GET /timesheets/rebuild.
    started.done.catch(() => undefined);
    return c.json({ from: started.from, to: started.to, status: deps.recompute.status() }, 202);
  });
  app.get("/timesheets/rebuild", async (c) => c.json(deps.recompute.status()));

  return app;
}
