/**
 * The PostgreSQL export mirrors departments and daily results (issue 14): a real SQLite store,
 * the real exporter, the local PostgreSQL. A recomputed day replaces its row; a deleted
 * department, and a day the store removed, leave the mirror.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import pino from "pino";
import { MirrorSync } from "../../src/export/mirror-sync.ts";
import { PgExporter } from "../../src/export/pg-exporter.ts";
import { preparePgSchema } from "../../src/export/pg-schema.ts";
import { pgTarget } from "../../src/export/pg-target.ts";
import { openStore } from "../../src/store/open.ts";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { DayResult } from "../../src/timesheets/types.ts";
import { type PgScratch, pgScratch } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/server.ts";

const T0 = Date.UTC(2026, 2, 3, 12);
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

function day(enrollid: number, date: string, extra: Partial<DayResult> = {}): DayResult {
  return {
    date, enrollid, shiftId: 1, scheduleId: 1, departmentId: 1, firstIn: `${date} 09:10:00`, lastOut: `${date} 17:30:00`,
    workedMinutes: 470, expectedMinutes: 450, lateMinutes: 10, earlyLeaveMinutes: 0, overtimeMinutes: 0, status: "late",
    missingPunch: false, manual: false, holiday: null, leave: [], pairs: [], inProgress: false, presence: null,
    shiftStart: `${date} 09:00:00`, shiftEnd: `${date} 17:00:00`, ...extra,
  };
}

async function setup(): Promise<{ store: SqliteStore; pg: PgScratch; exporter: () => PgExporter; now: { t: number } }> {
  const dir = tempDir("tm20-mirror-");
  const store = await openStore({ kind: "sqlite", dataDir: dir });
  if (!(store instanceof SqliteStore)) throw new Error("expected SQLite");
  const pg = pgScratch("tsmirror");
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }), async () => store.close(), () => pg.drop());
  const now = { t: T0 };
  const log = pino({ level: "silent" });
  return { store, pg, now, exporter: () => new PgExporter({ store, target: pgTarget(pg.url, pg.schema), templates: false, log, now: () => now.t }) };
}

describe("PostgreSQL export: timesheets", () => {
  test("departments and daily results reach PostgreSQL; a recomputed day replaces its row; a deleted department goes", async () => {
    const { store, pg, exporter, now } = await setup();
    const office = await store.timesheets.createDepartment("Office");
    const plant = await store.timesheets.createDepartment("Plant");
    await store.timesheets.saveDays([day(7, "2026-03-02"), day(8, "2026-03-02", { departmentId: 2, status: "absent", firstIn: null, lastOut: null, workedMinutes: 0, lateMinutes: 0, leave: [{ typeId: 3, minutes: 0, days: 1 }] })], T0 - 1000);
    const first = await exporter().exportAll();
    expect({ departments: first.departments, timesheetDays: first.timesheetDays }).toEqual({ departments: 2, timesheetDays: 2 });
    const S = `"${pg.schema}"`;
    expect(await pg.sql.unsafe(`SELECT id::int, name FROM ${S}.departments ORDER BY id`)).toEqual([{ id: office.id, name: "Office" }, { id: plant.id, name: "Plant" }]);
    const rows = async () =>
      pg.sql.unsafe(
        `SELECT enrollid::int, to_char(date, 'YYYY-MM-DD') AS date, department_id::int, status, to_char(first_in, 'YYYY-MM-DD HH24:MI:SS') AS first_in,
           worked_minutes, late_minutes, manual, leave FROM ${S}.timesheet_days ORDER BY enrollid, date`,
      );
    expect(await rows()).toEqual([
      { enrollid: 7, date: "2026-03-02", department_id: 1, status: "late", first_in: "2026-03-02 09:10:00", worked_minutes: 470, late_minutes: 10, manual: false, leave: [] },
      { enrollid: 8, date: "2026-03-02", department_id: 2, status: "absent", first_in: null, worked_minutes: 0, late_minutes: 0, manual: false, leave: [{ typeId: 3, minutes: 0, days: 1 }] },
    ]);

    // A correction recomputed 7's day later on; the Plant department is renamed, Office is gone.
    now.t = T0 + 3_600_000;
    await store.timesheets.saveDays([day(7, "2026-03-02", { status: "present", lateMinutes: 0, manual: true, firstIn: "2026-03-02 09:00:00", workedMinutes: 480 })], now.t);
    await store.timesheets.renameDepartment(plant.id, "Works");
    await store.timesheets.deleteDepartment(office.id);
    const second = await exporter().exportAll();
    expect(second.departments).toBe(1);
    expect(await pg.sql.unsafe(`SELECT id::int, name FROM ${S}.departments ORDER BY id`)).toEqual([{ id: plant.id, name: "Works" }]);
    expect((await rows())[0]).toEqual({ enrollid: 7, date: "2026-03-02", department_id: 1, status: "present", first_in: "2026-03-02 09:00:00", worked_minutes: 480, late_minutes: 0, manual: true, leave: [] });
    expect(await pg.sql.unsafe(`SELECT count(*)::int AS n FROM ${S}.timesheet_days`)).toEqual([{ n: 2 }]);

    // 8's day is no longer due (a schedule changed): removed in the store, it leaves the mirror at the next export.
    await store.timesheets.removeDays([{ enrollid: 8, date: "2026-03-02" }], now.t + 1000);
    await exporter().exportAll();
    expect(((await rows()) as Array<{ enrollid: number; date: string; status: string }>).map((r) => [r.enrollid, r.date, r.status])).toEqual([[7, "2026-03-02", "present"]]);
  });

  test("a day removed in the store leaves the mirror at the next snapshot; the others, and one stored again since its removal, stay as they were", async () => {
    const { store, pg, now } = await setup();
    const S = `"${pg.schema}"`;
    await preparePgSchema(pg.sql, pg.schema);
    const mirror = new MirrorSync({ sql: pg.sql, store, schema: pg.schema, templates: false, now: () => now.t });
    const rows = async (): Promise<Array<{ enrollid: number; date: string; status: string; at: string }>> =>
      pg.sql.unsafe(`SELECT enrollid::int, to_char(date, 'YYYY-MM-DD') AS date, status, (extract(epoch FROM computed_at) * 1000)::bigint::text AS at FROM ${S}.timesheet_days ORDER BY enrollid, date`);
    // Stored before the first look's minute of overlap: the next looks do not send them again.
    await store.timesheets.saveDays([day(7, "2026-03-02"), day(7, "2026-03-03"), day(8, "2026-03-02"), day(9, "2026-03-02")], T0 - 120_000);
    expect((await mirror.sync()).timesheetDays).toBe(4);
    const before = await rows();
    const [monday7, , , monday9] = before;
    if (!monday7 || !monday9) throw new Error("the first look sent too few days");
    expect(before.map((r) => [r.enrollid, r.date])).toEqual([[7, "2026-03-02"], [7, "2026-03-03"], [8, "2026-03-02"], [9, "2026-03-02"]]);

    // An hour on, a recomputation finds 7's Tuesday and 8's Monday no longer due and removes them;
    // 8's Monday is stored again by a later one (absent now), before the export looks.
    now.t = T0 + 3_600_000;
    await store.timesheets.removeDays([{ enrollid: 7, date: "2026-03-03" }, { enrollid: 8, date: "2026-03-02" }, { enrollid: 9, date: "2026-03-09" }], now.t);
    await store.timesheets.saveDays([day(8, "2026-03-02", { status: "absent", firstIn: null, lastOut: null, workedMinutes: 0, lateMinutes: 0 })], now.t + 1);
    expect((await mirror.sync()).timesheetDays).toBe(1);
    expect(await rows()).toEqual([monday7, { enrollid: 8, date: "2026-03-02", status: "absent", at: String(now.t + 1) }, monday9]);

    // Removed once more, later: the removal is newer than the mirror's look, and only that day goes.
    now.t += 3_600_000;
    await store.timesheets.removeDays([{ enrollid: 8, date: "2026-03-02" }], now.t);
    expect((await mirror.sync()).timesheetDays).toBe(0);
    expect(await rows()).toEqual([monday7, monday9]);
  });
});
