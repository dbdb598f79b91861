/**
 * `Store.timesheets` (issue 14): the time-and-attendance settings, the admin's corrections and
 * leave, and the derived daily results. The settings are stored as validated JSON and checked
 * against `timesheetSchemas` on the way in and on the way out, so what the rules read is always
 * what they assume (docs/timesheets.md). Raw punches stay in `attendance`; nothing here edits them.
 */
import type { Page } from "./types.ts";
import type {
  Correction,
  DayResult,
  Department,
  Holiday,
  LeaveEntry,
  LeaveType,
  LocalDate,
  Membership,
  PunchInterpretation,
  RawPunch,
  Rules,
  Schedule,
  Shift,
  SiteRules,
} from "../timesheets/types.ts";

/** A setting as created: the store gives the id. */
export type NoId<T> = T extends unknown ? Omit<T, "id"> : never;

export type HolidayRow = Holiday & { id: number };
/** A correction with when it was made (UTC ms). */
export type CorrectionRow = Correction & { at: number };
/** The site rules without the per-terminal part, which is set terminal by terminal. */
export type SiteSettings = Omit<SiteRules, "terminals">;

export type ComputedDay = DayResult & { computedAt: number };
/** A daily result no longer stored, and when it was removed (UTC ms). */
export interface RemovedDay {
  enrollid: number;
  date: LocalDate;
  removedAt: number;
}

export interface DayFilter {
  /** Inclusive local dates. */
  from: LocalDate;
  to: LocalDate;
  enrollid?: number;
  /** The department that applied on the day (the result's `departmentId`). */
  departmentId?: number;
  /** Only results stored at or after this (UTC ms). */
  computedSince?: number;
  cursor?: string;
  limit: number;
}

/** `Store.timesheets`, in the parts its implementation is written in (store/timesheets/). */
export interface TimesheetStore extends TimesheetDepartments, TimesheetSettings, TimesheetEntries, TimesheetPunches, TimesheetDays {}

/** Departments and who belonged to which, when. */
export interface TimesheetDepartments {
  departments(): Promise<Department[]>;
  /** Throws the store error "name_taken" (409) when another department has the name (whatever its case). */
  createDepartment(name: string): Promise<Department>;
  /** Null when it does not exist; "name_taken" as create. */
  renameDepartment(id: number, name: string): Promise<Department | null>;
  /** Throws the store error "in_use" (409) while a membership (past ones too) or a schedule names it. */
  deleteDepartment(id: number): Promise<boolean>;

  /** A person's department history, oldest first. */
  memberships(enrollid: number): Promise<Membership[]>;
  /**
   * From `from` on the person belongs to `departmentId` (null: to none): the membership open on
   * `from` is closed the day before, any starting on or after `from` is replaced. Returns the history.
   * Throws the store error "not_found" for a department that does not exist.
   */
  setDepartment(enrollid: number, departmentId: number | null, from: LocalDate): Promise<Membership[]>;
  /** Who belongs to which department on `date`, by enrollid. */
  membershipsOn(date: LocalDate): Promise<Array<{ enrollid: number; departmentId: number }>>;
  /** Everyone's history as `memberships` gives one person's, by enrollid: a rebuild reads it once, not once a person. */
  allMemberships(): Promise<Map<number, Membership[]>>;
}

/** Shifts, schedules, holidays, leave types and the site rules: what `rules()` reads. */
export interface TimesheetSettings {
  shifts(): Promise<Shift[]>;
  createShift(shift: NoId<Shift>): Promise<Shift>;
  /** Null when it does not exist. */
  updateShift(shift: Shift): Promise<Shift | null>;
  deleteShift(id: number): Promise<boolean>;

  schedules(): Promise<Schedule[]>;
  createSchedule(schedule: NoId<Schedule>): Promise<Schedule>;
  updateSchedule(schedule: Schedule): Promise<Schedule | null>;
  deleteSchedule(id: number): Promise<boolean>;

  holidays(): Promise<HolidayRow[]>;
  createHoliday(holiday: Holiday): Promise<HolidayRow>;
  /** Null when it does not exist. */
  updateHoliday(holiday: HolidayRow): Promise<HolidayRow | null>;
  deleteHoliday(id: number): Promise<boolean>;

  leaveTypes(): Promise<LeaveType[]>;
  createLeaveType(type: NoId<LeaveType>): Promise<LeaveType>;
  updateLeaveType(type: LeaveType): Promise<LeaveType | null>;
  deleteLeaveType(id: number): Promise<boolean>;

  /** The site rules with every terminal's interpretation; the defaults until they are set. */
  siteRules(): Promise<SiteRules>;
  setSiteRules(settings: SiteSettings): Promise<SiteRules>;
  /** null: the terminal goes back to the site's default interpretation. */
  setTerminalInterpretation(sn: string, interpretation: PunchInterpretation | null): Promise<SiteRules>;

  /** Everything `indexRules` needs, read in one snapshot. */
  rules(): Promise<Rules>;
}

/** Leave and corrections, per person. */
export interface TimesheetEntries {
  /** Leave entries dated `from`..`to` (inclusive), of one person or everyone, by date then id. */
  leave(filter: { enrollid?: number; from: LocalDate; to: LocalDate }): Promise<LeaveEntry[]>;
  addLeave(entry: NoId<LeaveEntry>): Promise<LeaveEntry>;
  leaveEntry(id: number): Promise<LeaveEntry | null>;
  /** Null when it does not exist. */
  updateLeave(entry: LeaveEntry): Promise<LeaveEntry | null>;
  deleteLeave(id: number): Promise<LeaveEntry | null>;

  /** A person's corrections, oldest first. */
  corrections(enrollid: number): Promise<CorrectionRow[]>;
  addCorrection(correction: NoId<Correction>, at: number): Promise<CorrectionRow>;
  correction(id: number): Promise<CorrectionRow | null>;
  /** Replaces a correction's body (its person and time made stay); null when it does not exist. */
  updateCorrection(correction: Correction): Promise<CorrectionRow | null>;
  /** The deleted correction (its dates need recomputing), null when there was none. */
  deleteCorrection(id: number): Promise<CorrectionRow | null>;
}

/** The punches a rebuild reads, and the lease on following them. */
export interface TimesheetPunches {
  /**
   * Everyone whose days can have a result in [from, to]: the people list, anyone with a
   * membership, a personal schedule or leave, and anyone who punched then. Ascending.
   */
  enrollids(from: LocalDate, to: LocalDate): Promise<number[]>;

  /** How many punches (of anyone, enrollid above 0) have site-local `time` in [from, until). */
  countPunchesBetween(from: string, until: string): Promise<number>;
  /**
   * Everyone's punches (enrollid above 0) with site-local `time` in [from, until), by time then id,
   * a page of at most `limit` after `after` (the last of the page before; null: from the start): a
   * rebuild reads them in the order they are stored, several times faster than person by person.
   */
  punchesBetween(from: string, until: string, after: { time: string; id: number } | null, limit: number): Promise<RawPunch[]>;
  /** One person's punches with site-local `time` in [from, until) ("YYYY-MM-DD[ HH:MM:SS]"), by time then id. */
  punchesOf(enrollid: number, from: string, until: string): Promise<RawPunch[]>;

  /**
   * Takes or renews, for `holder` and `ttlMs`, the lease on following the punches (one follower a
   * cluster; the database's clock on PostgreSQL) and returns how far results are written: every
   * attendance row with an id up to the mark has its days recomputed. Null while another holder's
   * lease runs.
   */
  claimFollow(holder: string, ttlMs: number): Promise<number | null>;
  /**
   * Moves the mark forward to `mark` (never back) once the results of the punches up to it are
   * written. False when another holder has claimed the lease since (an expired lease still counts
   * as `holder`'s until then): the caller stops following.
   */
  advanceFollow(holder: string, mark: number): Promise<boolean>;
  /** The mark alone, whoever holds the lease: punches above it may have no result yet. */
  followMark(): Promise<number>;
  /** Gives the lease up (the mark stays): another instance takes over at its next claim. */
  releaseFollow(holder: string): Promise<void>;
}

/** The derived daily results. */
export interface TimesheetDays {
  /**
   * Stores each result, replacing what was stored for its (enrollid, date). `onlyChanged`: a result
   * the same as the stored one is left as stored, its `at` too (recomputing finds most days as they
   * were; not writing them is most of a pass's cost, and the export mirrors only what changed).
   */
  saveDays(days: readonly DayResult[], at: number, options?: { onlyChanged?: boolean }): Promise<void>;
  /**
   * Removes the results of these (enrollid, date), stored or not: days that are no result yet
   * (`isDue`). Each one stored is noted as removed at `at` (UTC ms), for `daysRemoved`.
   */
  removeDays(days: ReadonlyArray<{ enrollid: number; date: string }>, at: number): Promise<void>;
  /** Stored results by date then enrollid. */
  days(filter: DayFilter): Promise<Page<DayResult>>;
  /** Results stored at or after `since` (UTC ms), by when they were stored then (enrollid, date): what the PostgreSQL export mirrors. */
  daysComputed(filter: { since: number; cursor?: string; limit: number }): Promise<Page<ComputedDay>>;
  /**
   * Results removed at or after `since` (UTC ms) and not stored again since, by when then (enrollid,
   * date): what the PostgreSQL export removes from its mirror.
   */
  daysRemoved(filter: { since: number; cursor?: string; limit: number }): Promise<Page<RemovedDay>>;
}
