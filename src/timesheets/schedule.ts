/**
 * Which shift applies to a person on a date: the person's own schedules while any is in effect,
 * else their department's on that date (so a move mid-month keeps the rule that applied then).
 */
import { dayNumber, weekday } from "./calendar.ts";
import { type DayPlan, type LocalToUtc, planDay } from "./plan.ts";
import type { Holiday, LocalDate, Membership, Rules, Schedule } from "./types.ts";

/**
 * The rules and the site clock with their lookups built once, for a computation over many people
 * and days. It remembers what every person shares (a shift laid on a date, a department's day), so
 * build one per batch of work (a rebuild, a recomputation after new punches), not one forever.
 */
export interface RuleIndex {
  rules: Rules;
  clock: LocalToUtc;
  byPerson: ReadonlyMap<number, Schedule[]>;
  byDepartment: ReadonlyMap<number, Schedule[]>;
  holidays: ReadonlyMap<LocalDate, Holiday[]>;
  /** By date, then shift id (null = none). */
  plans: Map<LocalDate, Map<number | null, DayPlan>>;
  /** By date, then department id. */
  departmentDays: Map<LocalDate, Map<number, Resolved>>;
}

export function indexRules(rules: Rules, clock: LocalToUtc): RuleIndex {
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
  return { rules, clock, byPerson, byDepartment, holidays, plans: new Map(), departmentDays: new Map() };
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
  if (own.length > 0) return decide(own, date, departmentId);
  if (departmentId === null) return { shiftId: null, scheduleId: null, departmentId };
  const ofDate = memo(index.departmentDays, date);
  let resolved = ofDate.get(departmentId);
  if (resolved === undefined) {
    resolved = decide((index.byDepartment.get(departmentId) ?? []).filter((s) => inEffect(s, date)), date, departmentId);
    ofDate.set(departmentId, resolved);
  }
  return resolved;
}

function decide(candidates: readonly Schedule[], date: LocalDate, departmentId: number | null): Resolved {
  let working: Schedule | null = null;
  let deciding: Schedule | null = null;
  for (const s of candidates) {
    if (deciding === null || newer(s, deciding)) deciding = s;
    if (shiftOf(s, date) !== null && (working === null || newer(s, working))) working = s;
  }
  const chosen = working ?? deciding;
  return { shiftId: working === null ? null : shiftOf(working, date), scheduleId: chosen?.id ?? null, departmentId };
}

/** A shift laid on a date, shared by everyone who works it that day. */
export function planOf(index: RuleIndex, shiftId: number | null, date: LocalDate): DayPlan {
  const ofDate = memo(index.plans, date);
  let plan = ofDate.get(shiftId);
  if (plan === undefined) {
    plan = planDay(shiftId === null ? null : (index.rules.shifts.get(shiftId) ?? null), date, index.clock);
    ofDate.set(shiftId, plan);
  }
  return plan;
}

function memo<K, V>(byDate: Map<LocalDate, Map<K, V>>, date: LocalDate): Map<K, V> {
  let ofDate = byDate.get(date);
  if (ofDate === undefined) {
    ofDate = new Map();
    byDate.set(date, ofDate);
  }
  return ofDate;
}

/** The holiday that applies to someone of `departmentId` on `date`, if any. */
export function holidayOn(index: RuleIndex, date: LocalDate, departmentId: number | null): Holiday | null {
  for (const h of index.holidays.get(date) ?? []) {
    if (!h.departmentIds || h.departmentIds.length === 0) return h;
    if (departmentId !== null && h.departmentIds.includes(departmentId)) return h;
  }
  return null;
}
