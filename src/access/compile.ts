/**
 * The access model compiled into what one terminal must hold (PROTOCOL.md §7): 8 day zones of
 * 5 sections, 8 week zones, the holiday table and a lock per person. Pure and deterministic:
 * the same model (in any order) and day give the same tables, so the sync can diff them.
 *
 * How the model maps (docs/access-control.md has a worked example):
 * - A person's rights at a door are the union of the schedules of their levels that include the
 *   door (directly or through a terminal group): each weekday's windows merged. A disabled
 *   person, or one with no level here, gets week zone 1.
 * - Day zone 1 is always "closed" (five empty sections) and week zone 1 always "closed every
 *   day": fixed numbers, so granting and revoking never renumber anything. That leaves 7 day
 *   zones and 7 week zones for real schedules.
 * - People whose weekly windows are the same share a week zone. Given what the terminal holds,
 *   a week zone keeps its number (see `weekNumbers`), so a change re-sends few locks; from
 *   nothing, zones are numbered in the order of the smallest set of schedule ids that gives them.
 *   Day zones are numbered by first use, week zone by week zone, Monday first.
 * - Validity dates become the lock's start and end time; the holiday table is the model's dated
 *   holidays within the coming 365 days, as yearly "MM-DD" ranges on day zone 1, pushed only
 *   where the schedules close on holidays. A terminal's holiday table applies to everyone on
 *   it, so schedules that disagree about holidays cannot share a terminal.
 * Anything a terminal cannot hold is refused with the rule and the terminal named.
 */
import { DAY_ZONES, MAX_HOLIDAYS, padDayZones, padSections, padWeekZones, WEEK_ZONES } from "../protocol/index.ts";
import { addDays } from "./calendar.ts";
import { type AccessModel, MAX_WINDOWS_PER_DAY, type Person, type Schedule } from "./model.ts";
import { type ModelIndex, schedulesAt } from "./model-index.ts";
import { ALWAYS_FROM, ALWAYS_TO, CLOSED_ZONE, type CompileResult, type FitError, type FitRule, type HeldTables, NOTHING_HELD, type TerminalHoliday, type UserLock } from "./tables.ts";
import { formatSection, mergeWindows, parseSection, type Window } from "./windows.ts";

const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const dayKey = (windows: readonly Window[]) => windows.map(formatSection).join(" ");

function compareIds(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

const quoted = (schedules: readonly Schedule[]) => schedules.map((s) => `"${s.name}"`).join(" + ");

function personLock(person: Person, weekzone: number): UserLock {
  return {
    weekzone,
    group: person.lockGroup,
    starttime: person.validFrom === null ? ALWAYS_FROM : `${person.validFrom} 00:00:00`,
    endtime: person.validTo === null ? ALWAYS_TO : `${person.validTo} 23:59:59`,
  };
}

interface WeekShape {
  key: string;
  /** The smallest set of schedule ids that gives it: orders the week zones. */
  ids: number[];
  days: Window[][];
  schedules: Schedule[];
  people: number[];
}

/**
 * `previous`: what the terminal holds, so that zone numbers stay where they are (fewer locks to
 * send); the tables are a function of (model, sn, today, previous) alone.
 */
export function compileTerminal(index: ModelIndex, sn: string, today: string, previous: HeldTables = NOTHING_HELD): CompileResult {
  const errors: FitError[] = [];
  const fail = (rule: FitRule, message: string) => errors.push({ sn, rule, message: `terminal ${sn}: ${message}` });

  // People grouped by the weekly windows they get here; everyone else is closed.
  const shapes = new Map<string, WeekShape>();
  const shapeOf = new Map<number, WeekShape>();
  /** Every schedule that opens this door to someone: their holiday rule is the terminal's. */
  const contributing = new Map<number, Schedule>();
  // Many people share a combination of schedules: each union is computed once.
  const unions = new Map<string, { days: Window[][]; key: string }>();
  for (const person of index.people) {
    const schedules = schedulesAt(index, person, sn).filter((s) => s.days.some((w) => w.length > 0));
    if (schedules.length === 0) continue;
    for (const s of schedules) contributing.set(s.id, s);
    const ids = schedules.map((s) => s.id);
    let union = unions.get(ids.join(","));
    if (!union) {
      const merged = Array.from({ length: 7 }, (_, d) => mergeWindows(schedules.flatMap((s) => s.days[d] ?? [])));
      unions.set(ids.join(","), (union = { days: merged, key: merged.map(dayKey).join("|") }));
    }
    const { days, key } = union;
    let shape = shapes.get(key);
    if (!shape) shapes.set(key, (shape = { key, ids, days, schedules, people: [] }));
    else if (compareIds(ids, shape.ids) < 0) Object.assign(shape, { ids, schedules });
    shape.people.push(person.enrollid);
    shapeOf.set(person.enrollid, shape);
  }
  const ordered = [...shapes.values()].sort((a, b) => compareIds(a.ids, b.ids));

  for (const shape of ordered) {
    shape.days.forEach((windows, d) => {
      if (windows.length > MAX_WINDOWS_PER_DAY) {
        fail(
          "windows-per-day",
          `${quoted(shape.schedules)} together open ${windows.length} windows on ${WEEKDAY_NAMES[d]} (a day zone holds ${MAX_WINDOWS_PER_DAY}), for people ${listed(shape.people)}`,
        );
      }
    });
  }
  if (ordered.length > WEEK_ZONES - 1) {
    fail("week-zones", `needs ${ordered.length} different weekly schedules; it holds ${WEEK_ZONES - 1} besides "closed" (week zone 1)`);
  }

  const dayKeys = new Set(ordered.flatMap((shape) => shape.days.map(dayKey)).filter((k) => k !== ""));
  if (dayKeys.size > DAY_ZONES - 1) {
    fail("day-zones", `needs ${dayKeys.size} different sets of daily windows; it holds ${DAY_ZONES - 1} besides "closed" (day zone 1)`);
  }

  // Holidays: one table for everyone on the terminal.
  const closing = [...contributing.values()].filter((s) => s.holidaysClosed).sort((a, b) => a.id - b.id);
  const open = [...contributing.values()].filter((s) => !s.holidaysClosed).sort((a, b) => a.id - b.id);
  let holidays: TerminalHoliday[] = [];
  if (closing.length > 0 && open.length > 0) {
    fail(
      "holidays-disagree",
      `its holiday table applies to everyone, but ${quoted(closing)} close on holidays and ${quoted(open)} do not; make them agree or give them different terminals`,
    );
  } else if (closing.length > 0) {
    holidays = holidayTable(index.model, today);
    if (holidays.length > MAX_HOLIDAYS) {
      fail("holidays", `the coming year has ${holidays.length} holiday ranges (a range that spans New Year counts twice); a terminal holds ${MAX_HOLIDAYS}`);
    }
  }

  if (errors.length > 0) return { ok: false, errors };

  // Week zone 1 is closed, the others numbered as the terminal holds them where it can.
  const weekOf = weekNumbers(ordered, previous);
  const byNumber = new Map([...weekOf].map(([shape, zone]) => [zone, shape]));
  // Day zone 1 is closed, the others numbered by first use, week zone by week zone.
  const dayZoneOf = new Map<string, number>([["", CLOSED_ZONE]]);
  const dayzones: string[][] = [padSections([])];
  const weekzones: number[][] = [Array<number>(7).fill(CLOSED_ZONE)];
  for (let zone = 2; zone <= WEEK_ZONES; zone++) {
    const shape = byNumber.get(zone);
    weekzones.push(
      shape
        ? shape.days.map((windows) => {
            const key = dayKey(windows);
            let day = dayZoneOf.get(key);
            if (day === undefined) {
              day = dayzones.length + 1;
              dayZoneOf.set(key, day);
              dayzones.push(padSections(windows.map(formatSection)));
            }
            return day;
          })
        : Array<number>(7).fill(0),
    );
  }
  const locks = new Map<number, UserLock>();
  for (const person of index.people) {
    const shape = shapeOf.get(person.enrollid);
    locks.set(person.enrollid, personLock(person, shape ? (weekOf.get(shape) as number) : CLOSED_ZONE));
  }
  return { ok: true, tables: { dayzones: padDayZones(dayzones), weekzones: padWeekZones(weekzones), holidays, locks } };
}

/** What each week zone a terminal holds lets through, as shape keys; unknown tables give none. */
function heldMeanings(previous: HeldTables): Map<number, string> {
  const out = new Map<number, string>();
  const { dayzones, weekzones } = previous;
  if (dayzones === null || weekzones === null) return out;
  weekzones.forEach((week, i) => {
    const days = week.map((d) => {
      const sections = d >= 1 ? dayzones[d - 1] : [];
      return sections ? dayKey(mergeWindows(sections.flatMap((t) => parseSection(t) ?? []))) : null;
    });
    if (days.every((d) => d !== null)) out.set(i + 1, days.join("|"));
  });
  return out;
}

/**
 * Week zone numbers for the shapes, keeping what the terminal holds so that a change moves as
 * few people as possible: a shape the terminal already holds keeps its zone; else it takes the
 * free zone most of its people are on (a schedule whose windows changed stays where it was);
 * else the lowest free zone. Without previous tables: 2, 3, … in shape order.
 */
function weekNumbers(ordered: readonly WeekShape[], previous: HeldTables): Map<WeekShape, number> {
  const out = new Map<WeekShape, number>();
  const taken = new Set<number>([CLOSED_ZONE]);
  const take = (shape: WeekShape, zone: number) => {
    out.set(shape, zone);
    taken.add(zone);
  };
  const meanings = heldMeanings(previous);
  for (const shape of ordered) {
    for (const [zone, meaning] of meanings) {
      if (meaning === shape.key && !taken.has(zone)) {
        take(shape, zone);
        break;
      }
    }
  }
  for (const shape of ordered) {
    if (out.has(shape)) continue;
    const votes = new Map<number, number>();
    for (const id of shape.people) {
      const zone = previous.locks.get(id)?.weekzone;
      if (zone !== undefined && zone > CLOSED_ZONE && zone <= WEEK_ZONES && !taken.has(zone)) votes.set(zone, (votes.get(zone) ?? 0) + 1);
    }
    const best = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    if (best) take(shape, best[0]);
  }
  for (const shape of ordered) {
    if (out.has(shape)) continue;
    let zone = CLOSED_ZONE + 1;
    while (taken.has(zone)) zone++;
    take(shape, zone);
  }
  return out;
}

function listed(ids: readonly number[]): string {
  const shown = ids.slice(0, 5).join(", ");
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}

/**
 * The model's holidays that fall in [today, today + 364] as yearly ranges (units hold no year,
 * §7.3 A): a 365-day window never holds the same "MM-DD" twice, and a range crossing New Year is
 * split in two. The table changes as days pass: the sync must compile at least daily.
 */
export function holidayTable(model: AccessModel, today: string): TerminalHoliday[] {
  const last = addDays(today, 364);
  const out: Array<TerminalHoliday & { from: string }> = [];
  for (const h of model.holidays) {
    let from = h.from < today ? today : h.from;
    const to = h.to > last ? last : h.to;
    while (from <= to) {
      const yearEnd = `${from.slice(0, 4)}-12-31`;
      const end = to < yearEnd ? to : yearEnd;
      out.push({ from, name: h.name, startday: from.slice(5), endday: end.slice(5), shift: 0, dayzone: CLOSED_ZONE });
      from = addDays(end, 1);
    }
  }
  out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.endday < b.endday ? -1 : a.endday > b.endday ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out.map(({ from: _from, ...h }) => h);
}
