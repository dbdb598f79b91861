/**
 * The CSV exports an admin opens in a spreadsheet or hands to payroll: /attendance.csv,
 * /door-events.csv (same filters as their lists) and /people.csv (`q` and `level` as on /people). All go through export/csv.ts
 * (BOM, the site's delimiter or `delimiter=`, quoting, formula defusing) and stream page by page
 * on the lists' keysets, so any size costs constant memory.
 */
import { type Context, Hono } from "hono";
import { stream } from "hono/streaming";
import { listPeople } from "../../app/people.ts";
import { type CsvCell, type CsvDelimiter, csvHead, csvRow, delimiterOf } from "../../export/csv.ts";
import { credentialKind } from "../../people/mask.ts";
import type { Page } from "../../store/contract.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { doorEventIsAlarm, doorEventLabel, inoutLabel, punchEventLabel, verificationLabel } from "../labels.ts";
import { levelParam } from "./people.tsx";
import { doorEventFilter, filterProblem, peopleOf, type RecordFilter, recordFilterSchema, storeFilter } from "./record-filter.tsx";

const CHUNK = 1000;

const ATTENDANCE_COLUMNS = [
  "time", "timeZone", "enrollid", "name", "externalId", "terminalSn", "terminal",
  "mode", "modeLabel", "inout", "inoutLabel", "event", "eventLabel", "id",
] as const;
const DOOR_EVENT_COLUMNS = ["time", "timeZone", "terminalSn", "terminal", "event", "eventLabel", "alarm", "mode", "inout", "id"] as const;
const PEOPLE_COLUMNS = ["enrollid", "name", "externalId", "validFrom", "validTo", "enabled", "credentials"] as const;

/** "card; fingerprint 2": what a person holds, never the PIN, card number or template itself. */
function credentialKinds(backupnums: number[]): string {
  const counts = new Map<string, number>();
  for (const b of backupnums) counts.set(credentialKind(b), (counts.get(credentialKind(b)) ?? 0) + 1);
  return [...counts].map(([kind, n]) => (n === 1 ? kind : `${kind} ${n}`)).join("; ");
}

export function exportPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  const terminalNames = async () => new Map((await deps.store.listTerminals()).map((t) => [t.sn, t.name || t.sn]));

  /**
   * Streams header and rows: `load` gets the previous page's cursor and returns the next page
   * already turned into rows.
   */
  const csv = (c: Context<UiEnv>, name: string, delimiter: CsvDelimiter, columns: readonly string[], load: (cursor: string | undefined) => Promise<Page<CsvCell[]>>) => {
    const stamp = deps.settings.clock.format(deps.now()).replace(/[: ]/g, "-");
    c.header("content-type", "text/csv; charset=utf-8");
    c.header("content-disposition", `attachment; filename="${name}-${stamp}.csv"`);
    c.header("cache-control", "no-store");
    return stream(c, async (out) => {
      await out.write(csvHead(columns, delimiter));
      let cursor: string | undefined;
      do {
        const result = await load(cursor);
        await out.write(result.items.map((r) => csvRow(r, delimiter)).join(""));
        cursor = result.next ?? undefined;
      } while (cursor && !out.aborted);
    });
  };

  /** The request's delimiter and record filter, or the 400 text naming what is wrong. */
  const parse = (c: Context<UiEnv>): { error: string } | { delimiter: CsvDelimiter; filter: Omit<RecordFilter, "cursor"> } => {
    const delimiter = delimiterOf(c.req.query("delimiter"), deps.settings.csvDelimiter);
    if (delimiter === null) return { error: "delimiter: use comma (,) or semicolon (;)" };
    const parsed = recordFilterSchema.safeParse(c.req.query());
    if (!parsed.success) return { error: filterProblem(parsed.error) };
    const { cursor: _ignored, ...filter } = parsed.data;
    return { delimiter, filter };
  };

  app.get("/attendance.csv", async (c) => {
    const req = parse(c);
    if ("error" in req) return c.text(req.error, 400);
    const named = await peopleOf(deps.store, req.filter);
    const terminals = await terminalNames();
    const tz = deps.settings.values.tz;
    return csv(c, "attendance", req.delimiter, ATTENDANCE_COLUMNS, async (cursor) => {
      const result = await deps.store.attendance(storeFilter({ ...req.filter, cursor }, CHUNK, named));
      const people = await deps.store.admin.peopleLabels(result.items.map((r) => r.enrollid));
      const items = result.items.map((r) => {
        const person = people.get(r.enrollid);
        return [
          r.time, tz, r.enrollid, person?.name ?? "", person?.externalId ?? "", r.sn, terminals.get(r.sn) ?? r.sn,
          r.mode, verificationLabel(r.mode, r.verifymode), r.inout, inoutLabel(r.inout), r.event, punchEventLabel(r.event), r.id,
        ];
      });
      return { items, next: result.next };
    });
  });

  app.get("/door-events.csv", async (c) => {
    const req = parse(c);
    if ("error" in req) return c.text(req.error, 400);
    const filter = doorEventFilter(req.filter);
    const terminals = await terminalNames();
    const tz = deps.settings.values.tz;
    return csv(c, "door-events", req.delimiter, DOOR_EVENT_COLUMNS, async (cursor) => {
      const result = await deps.store.doorEvents(storeFilter({ ...filter, cursor }, CHUNK));
      const items = result.items.map((r) => [
        r.time, tz, r.sn, terminals.get(r.sn) ?? r.sn, r.event, doorEventLabel(r.event), doorEventIsAlarm(r.event), r.mode, r.inout, r.id,
      ]);
      return { items, next: result.next };
    });
  });

  app.get("/people.csv", async (c) => {
    const req = parse(c);
    if ("error" in req) return c.text(req.error, 400);
    const q = c.req.query("q")?.trim().slice(0, 100);
    const levelId = levelParam.parse(c.req.query("level"));
    return csv(c, "people", req.delimiter, PEOPLE_COLUMNS, async (cursor) => {
      const result = await listPeople(deps.store, { limit: CHUNK, ...(q ? { q } : {}), ...(levelId === undefined ? {} : { levelId }), ...(cursor ? { cursor } : {}) });
      const items = result.items.map((p) => [p.enrollid, p.name, p.externalId, p.validFrom, p.validTo, p.enabled, credentialKinds(p.backupnums)]);
      return { items, next: result.next };
    });
  });

  return app;
}
