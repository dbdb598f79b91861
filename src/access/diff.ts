/**
 * What a terminal must be sent so that it holds the compiled tables: only what differs from what
 * it holds (the tables last pushed and acknowledged, or read back), so a re-sync of a terminal
 * that is up to date sends nothing — the way `people/plan.ts` does for credentials.
 *
 * The order keeps doors failing closed while a terminal is half updated (`holidaySteps` for the
 * holiday table). When the day or week zones change, a person's lock is sent before the
 * `setdevlock` if the zone it moves to means the same before and after, else after it if the
 * zone it leaves means the same before and after; when neither holds, the person is parked on
 * week zone 1 (closed in every table) before, and given the new zone after. The lock of a person
 * no longer in the model is set to zone 1, never deleted.
 */
import { type CommandName, MAX_HOLIDAYS, padDayZones, padWeekZones, USERLOCKS_PER_FRAME } from "../protocol/index.ts";
import { compileTerminal } from "./compile.ts";
import type { ModelIndex } from "./model-index.ts";
import { CLOSED_ZONE, type FitError, type HeldTables, NOTHING_HELD, type TerminalHoliday, type TerminalTables, type UserLock } from "./tables.ts";

export interface PlannedCommand {
  command: CommandName;
  params: Record<string, unknown>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function sameLock(a: UserLock | undefined, b: UserLock): boolean {
  return a !== undefined && a.weekzone === b.weekzone && a.group === b.group && a.starttime === b.starttime && a.endtime === b.endtime;
}

/** What week zone `zone` lets through, day by day, in a table; null when the table is unknown. */
function zoneMeaning(dayzones: string[][] | null, weekzones: number[][] | null, zone: number): string | null {
  if (dayzones === null || weekzones === null) return null;
  const week = weekzones[zone - 1];
  return week ? JSON.stringify(week.map((d) => dayzones[d - 1] ?? null)) : null;
}

function lockBatches(records: Array<[number, UserLock]>): PlannedCommand[] {
  const out: PlannedCommand[] = [];
  for (let i = 0; i < records.length; i += USERLOCKS_PER_FRAME) {
    const record = records.slice(i, i + USERLOCKS_PER_FRAME).map(([enrollid, l]) => ({ enrollid, weekzone: l.weekzone, group: l.group, starttime: l.starttime, endtime: l.endtime }));
    out.push({ command: "setuserlock", params: { record } });
  }
  return out;
}

export function planTables(held: HeldTables, wanted: TerminalTables): PlannedCommand[] {
  const devlock: Record<string, unknown> = {};
  if (!same(held.dayzones, wanted.dayzones)) devlock.dayzone = wanted.dayzones.map((day) => ({ day }));
  if (!same(held.weekzones, wanted.weekzones)) devlock.weekzone = wanted.weekzones.map((week) => ({ week }));
  const zonesChange = Object.keys(devlock).length > 0;
  const meaningBefore = (zone: number) => zoneMeaning(held.dayzones, held.weekzones, zone);
  const meaningAfter = (zone: number) => zoneMeaning(wanted.dayzones, wanted.weekzones, zone);
  const stable = (zone: number) => {
    const before = meaningBefore(zone);
    return before !== null && before === meaningAfter(zone);
  };

  const before: Array<[number, UserLock]> = [];
  const after: Array<[number, UserLock]> = [];
  // A lock the model no longer has is closed, not deleted: a unit may admit a person it holds no lock for.
  for (const enrollid of [...held.locks.keys()].sort((a, b) => a - b)) {
    const old = held.locks.get(enrollid) as UserLock;
    if (!wanted.locks.has(enrollid) && old.weekzone !== CLOSED_ZONE) before.push([enrollid, { ...old, weekzone: CLOSED_ZONE }]);
  }
  for (const [enrollid, lock] of wanted.locks) {
    const old = held.locks.get(enrollid);
    if (sameLock(old, lock)) continue;
    if (!zonesChange || stable(lock.weekzone)) before.push([enrollid, lock]);
    else if (old !== undefined && stable(old.weekzone)) after.push([enrollid, lock]);
    else {
      if (old !== undefined && old.weekzone !== CLOSED_ZONE) before.push([enrollid, { ...old, weekzone: CLOSED_ZONE }]);
      after.push([enrollid, lock]);
    }
  }

  const out: PlannedCommand[] = [];
  const holidays = holidaySteps(held.holidays, wanted.holidays);
  if (holidays.first) out.push({ command: "setholiday", params: { holidays: holidays.first } });
  out.push(...lockBatches(before));
  if (zonesChange) out.push({ command: "setdevlock", params: devlock });
  out.push(...lockBatches(after));
  if (holidays.last) out.push({ command: "setholiday", params: { holidays: holidays.last } });
  return out;
}

const holidayKey = (h: TerminalHoliday) => JSON.stringify([h.startday, h.endday, h.name, h.dayzone, h.shift]);

/**
 * Holidays only ever close (day zone 1), so a table with more of them is never less safe: one
 * that only adds goes first; one that also removes goes last, after the union of both tables
 * first when that fits.
 */
function holidaySteps(held: TerminalHoliday[] | null, wanted: TerminalHoliday[]): { first?: TerminalHoliday[]; last?: TerminalHoliday[] } {
  if (same(held, wanted)) return {};
  if (held === null) return { first: wanted };
  const wantedKeys = new Set(wanted.map(holidayKey));
  const heldKeys = new Set(held.map(holidayKey));
  const removed = held.filter((h) => !wantedKeys.has(holidayKey(h)));
  if (removed.length === 0) return { first: wanted };
  const adds = wanted.some((h) => !heldKeys.has(holidayKey(h)));
  return adds && wanted.length + removed.length <= MAX_HOLIDAYS ? { first: [...wanted, ...removed], last: wanted } : { last: wanted };
}

/**
 * What a terminal holds once it acknowledged a command (params as `validateParams` returns
 * them): how the sync keeps `HeldTables` for the next diff. `initsys` forgets everything known.
 */
export function heldAfter(held: HeldTables, command: string, params: Record<string, unknown>): HeldTables {
  switch (command) {
    case "setdevlock": {
      const next = { ...held };
      if (Array.isArray(params.dayzone)) next.dayzones = padDayZones((params.dayzone as Array<{ day: string[] }>).map((zone) => zone.day));
      if (Array.isArray(params.weekzone)) next.weekzones = padWeekZones((params.weekzone as Array<{ week: number[] }>).map((zone) => zone.week));
      return next;
    }
    case "setholiday":
      return { ...held, holidays: params.holidays as TerminalHoliday[] };
    case "setuserlock": {
      const locks = new Map(held.locks);
      for (const r of params.record as Array<UserLock & { enrollid: number }>) {
        locks.set(r.enrollid, { weekzone: r.weekzone, group: r.group, starttime: r.starttime, endtime: r.endtime });
      }
      return { ...held, locks };
    }
    case "deleteuserlock": {
      const locks = new Map(held.locks);
      locks.delete(Number(params.enrollid));
      return { ...held, locks };
    }
    case "cleanuserlock":
      return { ...held, locks: new Map() };
    case "initsys":
      return NOTHING_HELD;
    default:
      return held;
  }
}

export type TerminalPlan = { ok: true; commands: PlannedCommand[] } | { ok: false; errors: FitError[] };

/**
 * What the sync queues for one terminal: the model compiled against what the terminal will hold
 * once `open` (its commands still queued or in flight, oldest first, params as validated) are
 * acknowledged, so a command already queued is never planned again and a second run after the
 * first sends nothing.
 */
export function planTerminal(index: ModelIndex, sn: string, today: string, held: HeldTables, open: ReadonlyArray<{ command: string; params: Record<string, unknown> }>): TerminalPlan {
  const expected = open.reduce((h, c) => heldAfter(h, c.command, c.params), held);
  const result = compileTerminal(index, sn, today, expected);
  return result.ok ? { ok: true, commands: planTables(expected, result.tables) } : { ok: false, errors: result.errors };
}
