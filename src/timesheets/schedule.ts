/**
 * Which shift applies to a person on a date: the person's own schedules while any is in effect,
 * else their department's on that date (so a move mid-month keeps the rule that applied then).
 */
import { dayNumber, weekday } from "./calendar.ts";
import type { Holiday, LocalDate, Membership, Rules, Schedule } from "./types.ts";

/** The rules with their lookups built once, for a rebuild over many people and days. */
export interface RuleIndex {
  rules: Rules;
  byPerson: ReadonlyMap<number, Schedule[]>;
  byDepartment: ReadonlyMap<number, Schedule[]>;
  holidays: ReadonlyMap<LocalDate, Holiday[]>;
}

export function indexRules(rules: Rules): RuleIndex {
  const byPerson = new Map<number, Schedule[]>();
  const byDepartment = new Map<number, Schedule[]>();
  const push = <K>(map: Map<K, Schedule[]>, key: K, s: Schedule) => {
    const list = map.get(key);
    if (list) list.push(s);
    else map.set(key, [s]);
  };
  for (const s of rules.schedules) {
    if (s.enrollid !== undefined) push(byPerson, s.enrollid, s);
    else if (s.departmentId !== undefined) push(byDepartment, s.departmentId, s);
  }
  const holidays = new Map<LocalDate, Holiday[]>();
  for (const h of rules.holidays) holidays.set(h.date, [...(holidays.get(h.date) ?? []), h]);
  return { rules, byPerson, byDepartment, holidays };
}

export function departmentOn(memberships: readonly Membership[], date: LocalDate): number | null {
  for (const m of memberships) {
    if (m.from <= date && (m.to === undefined || date <= m.to)) return m.departmentId;
  }
  return null;
}

export interface Resolved {
  /** null = rest day. */
  shiftId: number | null;
  /** The schedule that decided the day (null when none is in effect). */
  scheduleId: number | null;
  departmentId: number | null;
}

const inEffect = (s: Schedule, date: LocalDate) => s.from <= date && (s.to === undefined || date <= s.to);

function shiftOf(s: Schedule, date: LocalDate): number | null {
  if (s.pattern.kind === "weekly") return s.pattern.weekdays.includes(weekday(date)) ? s.pattern.shiftId : null;
  const n = s.pattern.days.length;
  if (n === 0) return null;
  return s.pattern.days[(dayNumber(date) - dayNumber(s.from)) % n] ?? null;
}

/** The later `from` wins between schedules of one owner that both give a shift; then the higher id. */
const newer = (a: Schedule, b: Schedule) => (a.from !== b.from ? a.from > b.from : a.id > b.id);

export function resolveDay(index: RuleIndex, enrollid: number, memberships: readonly Membership[], date: LocalDate): Resolved {
  const departmentId = departmentOn(memberships, date);
  const own = (index.byPerson.get(enrollid) ?? []).filter((s) => inEffect(s, date));
  const candidates = own.length > 0 ? own : departmentId === null ? [] : (index.byDepartment.get(departmentId) ?? []).filter((s) => inEffect(s, date));
  let working: Schedule | null = null;
  let deciding: Schedule | null = null;
  for (const s of candidates) {
    if (deciding === null || newer(s, deciding)) deciding = s;
    if (shiftOf(s, date) !== null && (working === null || newer(s, working))) working = s;
  }
  const chosen = working ?? deciding;
  return { shiftId: working === null ? null : shiftOf(working, date), scheduleId: chosen?.id ?? null, departmentId };
}

/** The holiday that applies to someone of `departmentId` on `date`, if any. */
export function holidayOn(index: RuleIndex, date: LocalDate, departmentId: number | null): Holiday | null {
  for (const h of index.holidays.get(date) ?? []) {
    if (!h.departmentIds || h.departmentIds.length === 0) return h;
    if (departmentId !== null && h.departmentIds.includes(departmentId)) return h;
  }
  return null;
}
