/**
 * What a terminal holds for access control (PROTOCOL.md §7), as the compiler (compile.ts) makes
 * it, the sync (diff.ts) sends it and the store keeps what each terminal acknowledged.
 */

export interface UserLock {
  weekzone: number;
  group: number;
  starttime: string;
  endtime: string;
}

export interface TerminalHoliday {
  name: string;
  startday: string;
  endday: string;
  shift: number;
  dayzone: number;
}

export interface TerminalTables {
  /** 8 × 5 "HH:MM~HH:MM" sections. */
  dayzones: string[][];
  /** 8 × 7 day-zone numbers, indexed by ISO weekday − 1 (Monday first). */
  weekzones: number[][];
  holidays: TerminalHoliday[];
  /** Every person of the model, in ascending enrollid order. */
  locks: Map<number, UserLock>;
}

/** What the server knows a terminal holds; null = not known (never pushed, or wiped). */
export interface HeldTables {
  dayzones: string[][] | null;
  weekzones: number[][] | null;
  holidays: TerminalHoliday[] | null;
  locks: ReadonlyMap<number, UserLock>;
}

export const NOTHING_HELD: HeldTables = { dayzones: null, weekzones: null, holidays: null, locks: new Map() };

export type FitRule = "day-zones" | "week-zones" | "windows-per-day" | "holidays" | "holidays-disagree";

export interface FitError {
  sn: string;
  rule: FitRule;
  message: string;
}

export type CompileResult = { ok: true; tables: TerminalTables } | { ok: false; errors: FitError[] };

export const CLOSED_ZONE = 1;
/** Validity of a person with no dates: the extremes the vendor's examples use. */
export const ALWAYS_FROM = "2000-01-01 00:00:00";
export const ALWAYS_TO = "2099-12-31 23:59:59";
