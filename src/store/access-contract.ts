/**
 * `Store.access` (issue 16): access schedules, access levels, which levels each person holds and
 * people's issued QR codes. A terminal's access mode is a column of `terminals`
 * (`updateTerminal`), holidays are time and attendance's (`Store.timesheets`), terminal groups
 * and people are `Store.people`'s: `model()` reads them all into one access model. Visitor passes
 * are kept here too, with the count of their uses.
 */
import type { TerminalHoliday } from "../access/tables.ts";
import type { AccessModelInput } from "../access/model.ts";
import type { Page } from "./types.ts";

/** "1" = Monday … "7" = Sunday, windows "HH:MM-HH:MM" (the API's form). */
export type ScheduleDays = Record<"1" | "2" | "3" | "4" | "5" | "6" | "7", string[]>;

export interface AccessScheduleRow {
  id: number;
  name: string;
  days: ScheduleDays;
  holidaysClosed: boolean;
}

export interface AccessLevelRow {
  id: number;
  name: string;
  scheduleId: number;
  terminals: string[];
  groupIds: number[];
}

export type AccessMode = "terminal" | "server";

/** A person's lock as a terminal holds it (`setuserlock`, PROTOCOL.md §7.2). */
export interface HeldLockRow {
  enrollid: number;
  weekzone: number;
  group: number;
  starttime: string;
  endtime: string;
}

/** What the server knows a terminal holds of the access tables; a table never acknowledged is null. */
export interface HeldAccessRow {
  dayzones: string[][] | null;
  weekzones: number[][] | null;
  holidays: TerminalHoliday[] | null;
  /** Ascending enrollid. */
  locks: HeldLockRow[];
}

/** A terminal the model does not fit: the sync's refusal, kept until a sync fits again. */
export interface AccessSyncProblem {
  sn: string;
  message: string;
  /** UTC ms: since when the same message stands. */
  since: number;
}

export interface PassRow {
  id: number;
  name: string;
  /** The issued code, kept as issued so the pass can be printed again. */
  code: string;
  /** Site-local "YYYY-MM-DD HH:MM:SS", both inclusive. */
  validFrom: string;
  validTo: string;
  levelIds: number[];
  terminals: string[];
  /** null = any number of uses. */
  uses: number | null;
  /** Uses consumed so far. */
  used: number;
  /** Epoch ms; null while it opens doors. */
  revokedAt: number | null;
  revokedBy: string | null;
  createdAt: number;
  /** The actor, as the audit log names it. */
  createdBy: string;
}

export type NewPass = Omit<PassRow, "id" | "used" | "revokedAt" | "revokedBy">;

/** One scan of a pass at a door: which terminal, which record (its identity), when (epoch ms). */
export interface PassScan {
  sn: string;
  scan: string;
  at: number;
  /**
   * The same scan (terminal and record) used the pass no longer ago than this (ms): a unit's
   * resend, answered "repeat" without a second use.
   */
  repeatWithinMs: number;
}

/**
 * "granted": one use consumed; "repeat": the same scan was granted a moment ago, nothing
 * consumed; "used_up", "revoked": refused, nothing consumed; "not_found": no such pass.
 */
export type PassUseOutcome = "granted" | "repeat" | "used_up" | "revoked" | "not_found";

/** Who holds a level, as the model has holders: people, and visitor passes. */
export interface LevelHolders {
  /** The first `limit` people holding it, by enrollid. */
  people: Array<{ enrollid: number; name: string; enabled: boolean }>;
  /** Everyone holding it. */
  peopleTotal: number;
  /** The first `limit` passes holding it, not revoked and not ended, newest first. */
  passes: Array<{ id: number; name: string; validTo: string }>;
  passesTotal: number;
}

/** `Store.access`, in the parts its implementation is written in (store/access/). */
export interface AccessStore extends AccessRules, AccessPasses, AccessHeld {}

/** Schedules, levels, the people's levels and QR codes, and the model read from them. */
export interface AccessRules {
  schedules(): Promise<AccessScheduleRow[]>;
  createSchedule(schedule: Omit<AccessScheduleRow, "id">): Promise<AccessScheduleRow>;
  /** Null when it does not exist. */
  updateSchedule(schedule: AccessScheduleRow): Promise<AccessScheduleRow | null>;
  /** False when it does not exist; throws the store error "in_use" (409) while a level uses it. */
  deleteSchedule(id: number): Promise<boolean>;

  levels(): Promise<AccessLevelRow[]>;
  /** Throws the store error "not_found" when its schedule does not exist. */
  createLevel(level: Omit<AccessLevelRow, "id">): Promise<AccessLevelRow>;
  /** Null when it does not exist; "not_found" as create. */
  updateLevel(level: AccessLevelRow): Promise<AccessLevelRow | null>;
  /** Takes the level from everyone who held it; false when it does not exist. */
  deleteLevel(id: number): Promise<boolean>;

  /**
   * Who holds the level: people, and the passes not revoked whose end is at or after
   * `passesEndingFrom` ("YYYY-MM-DD HH:MM:SS", site-local), each at most `limit` with its count,
   * read in one snapshot.
   */
  levelHolders(levelId: number, options: { limit: number; passesEndingFrom: string }): Promise<LevelHolders>;

  /** The person's level ids, ascending. */
  levelsOf(enrollid: number): Promise<number[]>;
  /** Replaces them; throws "not_found" naming a level that does not exist (and changes nothing). */
  setLevelsOf(enrollid: number, levelIds: readonly number[]): Promise<number[]>;

  /** The person's issued QR code, null without one. */
  qrCodeOf(enrollid: number): Promise<string | null>;
  /** null takes it away; throws "exists" (409) when another person holds the code. */
  setQrCode(enrollid: number, code: string | null): Promise<void>;

  /**
   * Everything the access model holds, read in one snapshot, for `parseAccessModel`: schedules,
   * levels (groups deleted since are dropped from them: they open nothing), terminal groups,
   * people with their levels and QR codes, the site-wide holidays of time and attendance, and the
   * passes (levels deleted since are dropped from them; a pass left with no door is left out: it
   * opens nothing). With `passesEndingFrom` ("YYYY-MM-DD HH:MM:SS", site-local), passes that
   * ended before it are left out too: the live decision need not hold every pass ever made.
   * `passes: false` reads none: the terminals' tables and what fits them do not depend on passes.
   */
  model(options?: { passesEndingFrom?: string; passes?: false }): Promise<AccessModelInput>;
}

/** Visitor passes. */
export interface AccessPasses {
  /** Newest first. */
  passes(page: { cursor?: string; limit: number }): Promise<Page<PassRow>>;
  pass(id: number): Promise<PassRow | null>;
  /** Throws "exists" (409) when its code is already issued (to a pass or a person). */
  createPass(pass: NewPass): Promise<PassRow>;
  /** Revoked once: a second revoke keeps the first time and actor. Null when it does not exist. */
  revokePass(id: number, at: number, by: string): Promise<PassRow | null>;
  /**
   * Consumes one use of the pass, atomically: however many doors of however many instances scan a
   * pass with one use left at the same moment, one is "granted". Unlimited passes count their uses
   * too. A revoked pass is "revoked" even for a resend.
   */
  usePass(id: number, scan: PassScan): Promise<{ outcome: PassUseOutcome; used: number }>;
}

/** What each terminal acknowledged holding, and why the model does not fit one. */
export interface AccessHeld {
  /** What the terminal holds (tables null and no locks when nothing is known). */
  held(sn: string): Promise<HeldAccessRow>;
  /** Terminals with anything held or a problem: once managed, a terminal stays in step. */
  heldTerminals(): Promise<string[]>;
  /** Records the tables given (a table left out keeps what is known). */
  holdTables(sn: string, tables: Partial<Pick<HeldAccessRow, "dayzones" | "weekzones" | "holidays">>): Promise<void>;
  /** Records these locks, replacing what was known of those people. */
  holdLocks(sn: string, locks: readonly HeldLockRow[]): Promise<void>;
  /** Forgets these people's locks; null: every lock (`cleanuserlock`). */
  releaseLocks(sn: string, enrollids: readonly number[] | null): Promise<void>;
  /** Forgets everything the terminal held (`initsys`), its problem too. */
  forgetHeld(sn: string): Promise<void>;
  /** Sets (or, with null, clears) why the model does not fit the terminal; the same message keeps its `since`. */
  setSyncProblem(sn: string, message: string | null, at: number): Promise<void>;
  /** By sn. */
  syncProblems(): Promise<AccessSyncProblem[]>;
}
