/**
 * The store contract. SQLite implements it for a single box; a PostgreSQL implementation will
 * serve clusters. The write side is one call, `write(ops)`, applied as ONE transaction: the
 * group-commit writer gathers every connection's ops per tick and hands them over together.
 */
import type { KeypadEnrolment } from "../people/terminal-change.ts";
import type { DevInfo } from "../protocol/index.ts";
import type { AccessMode, AccessStore } from "./access-contract.ts";
import type { AdminStore } from "./admin-contract.ts";
import type { CommandStore, PeopleStore } from "./commands-contract.ts";
import type { ImportSourceStore } from "./import-source-contract.ts";
import type { AlertTerminalQuery, AlertTerminals, TerminalFilter } from "./terminal-reads-contract.ts";
import type { TimesheetStore } from "./timesheets-contract.ts";
import type { TerminalStatus } from "./terminal-status.ts";
import type { Page, TerminalChangeOutcome } from "./types.ts";
import type {
  ApiTokenRow,
  AuditRow,
  AttendanceRow,
  DoorEventRow,
  PersonRow,
  QuarantineRow,
  TerminalRow,
  TokenScope,
} from "./schema.ts";

export type Approval = "approved" | "pending" | "blocked";

export interface Punch {
  enrollid: number;
  /** Site-local wall clock, normalised "YYYY-MM-DD HH:MM:SS". */
  time: string;
  /** The same instant in UTC milliseconds. */
  ts: number;
  mode: number;
  inout: number;
  event: number;
  verifymode?: number;
  temp?: number;
  image?: string;
  /** Why the server refused this punch at the door (issue 16: a server-mode terminal); absent when it did not. */
  refused?: string;
  /**
   * The record carried what the unit decoded from a scanned code (a `note` with fields, PROTOCOL.md
   * §7.5): read by the live decision, never stored (a health pass's fields are personal data).
   */
  scannedCode?: true;
}

export interface PunchPhoto {
  attendanceId: number;
  /** Base64 of the image bytes. */
  data: string;
  receivedAt: number;
}

export interface QuarantineEntry {
  kind: string;
  raw: string;
  reason: string;
}

export type WriteOp =
  | { type: "punches"; sn: string; at: number; punches: Punch[]; quarantine: QuarantineEntry[] }
  | {
      type: "terminal-seen";
      sn: string;
      at: number;
      sessionId: string;
      remoteAddr: string | null;
      cpusn: string | null;
      devinfo: DevInfo | null;
      /** The approval a terminal gets when it is new. */
      approvalIfNew: Approval;
      /** A new terminal that would be pending is not stored while this many already are (anyone can send a `reg`); absent: no cap. */
      maxPending?: number;
      /** Whether to mark it connected (only when its registration is accepted). */
      online: boolean;
      /**
       * An approved terminal whose remembered hardware identity (cpusn, mac) differs from this
       * registration's: "refuse" (the default; under `approve`) stores only the mismatch, "accept"
       * (under `open`) registers it all the same, the mismatch stored for an admin to see. Either
       * way the remembered identity is kept.
       */
      onIdentityMismatch?: "refuse" | "accept";
    }
  | { type: "terminals-last-seen"; entries: Array<{ sn: string; at: number }> }
  /** Applies only while `sessionId` is still the terminal's latest session: a stale socket's close is a no-op. */
  | { type: "terminal-offline"; sn: string; at: number; sessionId: string }
  | {
      type: "credential";
      sn: string;
      at: number;
      enrollid: number;
      name: string | undefined;
      admin: number;
      backupnum: number;
      data: string;
      /** The address the terminal connected from (audited, shown with a held change). */
      remoteAddr: string | null;
      /** The message it came in: a keypad enrolment, or an answer to the server's `getuserinfo` (a pull). */
      via: "senduser" | "getuserinfo";
      /**
       * A terminal's change is judged in the transaction (store/held-changes.ts): applied, held for
       * an admin or ignored, and audited. This is what an enrolment becomes (the site's keypad setting).
       */
      enrolment: KeypadEnrolment;
    }
  | { type: "quarantine"; sn: string | null; at: number; entries: QuarantineEntry[] }
  /**
   * A terminal clock measurement (drift = terminal minus site clock); `corrected` when a settime
   * goes out for it. In the group commit, so a registration storm costs no fsync per terminal.
   */
  | { type: "terminal-clock"; sn: string; at: number; driftSeconds: number; corrected: boolean };

export type OpResult =
  | {
      ok: true;
      inserted: number;
      duplicates: number;
      quarantined: number;
      /** The terminal's oldest quarantine entries this write removed (beyond QUARANTINE_PER_TERMINAL). */
      quarantinePruned?: number;
      /** terminal-seen only: the terminal's approval and its `nosenduser` setting after the write. */
      approval?: Approval;
      nosenduser?: boolean;
      /** terminal-seen only: a new terminal was not stored because the pending list is full (`maxPending`). */
      pendingFull?: true;
      /** terminal-seen only: the hardware identity differed from the remembered one, and what was done (`onIdentityMismatch`). */
      identityMismatch?: "refused" | "accepted";
      /** credential only: what became of the terminal's change. */
      terminalChange?: TerminalChangeOutcome;
    }
  | { ok: false; error: Error };

export type { Page } from "./types.ts";
export type { TerminalFilter } from "./terminal-reads-contract.ts";

export interface PunchFilter {
  sn?: string;
  enrollid?: number;
  /** Any of these people (an empty list matches nothing): a name search's matches. */
  enrollids?: readonly number[];
  /** Door events with any of these codes (an empty list matches nothing); ignored for attendance. */
  events?: readonly number[];
  /** Inclusive lower bound, site-local "YYYY-MM-DD[ HH:MM:SS]". */
  from?: string;
  /** Exclusive upper bound, same form. */
  to?: string;
  inout?: number;
  /** Attendance: only the punches the server refused at the door (issue 16); ignored for door events. */
  refused?: boolean;
  cursor?: string;
  limit: number;
}

/** Attendance rows by what they are, for APIs paged by number (BioTime's); every field narrows. */
export interface AttendanceMatch {
  /** Any of these terminals (an empty list matches nothing). */
  sns?: string[];
  /** Any of these people (an empty list matches nothing). */
  enrollids?: number[];
  /** Inclusive bounds on the site-local time "YYYY-MM-DD HH:MM:SS". */
  from?: string;
  until?: string;
  /** Bounds on the row id (exclusive below, inclusive above): counts kept up to date by the rows added since. */
  afterId?: number;
  throughId?: number;
  /** Only a person's punches: not a placeholder of nobody enrolled (PROTOCOL.md §7.5), as time and attendance reads them. */
  peopleOnly?: true;
}

/** Row id order is upload order (ids are given in commit order); "time" is the punch time, then id. */
export type AttendanceOrder = "id" | "-id" | "time" | "-time";

export interface Stats {
  attendance_total: number;
  door_events_total: number;
  quarantined_total: number;
  terminals_total: number;
  terminals_online: number;
  terminals_pending: number;
  people_total: number;
}

export interface TerminalChanges {
  name?: string | null;
  location?: string | null;
  nosenduser?: boolean;
  /** Who decides at this terminal's door: the unit from its tables, or the server punch by punch. */
  accessMode?: AccessMode;
  /** Its in/out punches say who is inside the site (presence). */
  siteEntrance?: boolean;
}

export interface TokenGrant {
  scope: TokenScope;
  /** UTC ms; null: never. */
  expiresAt: number | null;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target?: string | null;
  details?: unknown;
  /** "ok", "failed: <why>", "queued", … */
  result: string;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  cursor?: string;
  limit: number;
}

export interface Store {
  /** Admin users, sessions, settings and the admin UI's reads. */
  readonly admin: AdminStore;
  /** The durable command queue and its history, jobs, terminal clock checks. */
  readonly commands: CommandStore;
  /** People, credentials, terminal groups and what each terminal holds. */
  readonly people: PeopleStore;
  /** Saved HR sources of the people import. */
  readonly importSources: ImportSourceStore;
  /** Time and attendance: settings, corrections, leave and the derived days (issue 14). */
  readonly timesheets: TimesheetStore;
  /** Access control: schedules, levels, people's levels and QR codes, the model (issue 16). */
  readonly access: AccessStore;

  /** Applies every op in one transaction. Rejects (and applies nothing) when the commit fails. */
  write(ops: WriteOp[]): Promise<OpResult[]>;

  getTerminal(sn: string): Promise<TerminalRow | null>;
  listTerminals(): Promise<TerminalRow[]>;
  /**
   * Terminals by sn, keyset-paged; with `q`, only those whose sn, name or location contains it
   * (case ignored as each engine's LIKE/ILIKE ignores it); with `status`, those of that status;
   * with `sns`, those of these serial numbers, as many as given (read in slices within the engines'
   * limits on bound parameters) and ordered by sn bytewise. The door board pages through these.
   */
  terminalsPage(filter: TerminalFilter): Promise<Page<TerminalRow>>;
  /**
   * The terminals the alerts name, without reading every terminal: how many are pending, approved
   * with other hardware, offline, nearly full, and the first few of each (what a summary names).
   */
  alertTerminals(q: AlertTerminalQuery): Promise<AlertTerminals>;
  /** How many terminals there are of each status (the lists' tabs, the dashboard). */
  terminalCounts(): Promise<Record<TerminalStatus, number>>;
  setApproval(sn: string, approval: Approval, at: number): Promise<TerminalRow | null>;
  /**
   * "Replaced hardware": the mismatching identity stored for the terminal (`mismatchCpusn`,
   * `mismatchMac`) becomes its identity, and the mismatch is cleared. Null when the terminal does
   * not exist or has no mismatch stored.
   */
  acceptIdentity(sn: string): Promise<TerminalRow | null>;
  /** Admin-editable fields of a terminal; null when it does not exist. */
  updateTerminal(sn: string, changes: TerminalChanges): Promise<TerminalRow | null>;
  /** At start: nothing is connected yet, whatever a crash left behind. */
  markAllOffline(): Promise<void>;

  attendance(filter: PunchFilter): Promise<Page<AttendanceRow>>;
  doorEvents(filter: PunchFilter): Promise<Page<DoorEventRow>>;
  /** Door events with one of these codes at or after the site-local time `from`, newest first, at most `limit` (the alerts' door alarms). */
  recentDoorEvents(from: string, events: readonly number[], limit: number): Promise<DoorEventRow[]>;
  /** The newest door event (by terminal time, then id) of each of these terminals that has any: the door board's state. */
  latestDoorEvents(sns: readonly string[]): Promise<DoorEventRow[]>;
  quarantined(filter: { cursor?: string; limit: number }): Promise<Page<QuarantineRow>>;
  getAttendance(id: number): Promise<AttendanceRow | null>;
  /** The photo a face terminal sent with this punch (base64 as received, no data: prefix); null without one. */
  punchPhoto(attendanceId: number): Promise<PunchPhoto | null>;
  /** Which of these punches have a photo (one read for a page of rows). */
  withPhotos(attendanceIds: readonly number[]): Promise<Set<number>>;
  countAttendance(match: AttendanceMatch): Promise<number>;
  /** `limit` rows from `offset` in `order`; deep offsets cost a walk of the index, so callers bound them. */
  attendanceSlice(match: AttendanceMatch, order: AttendanceOrder, offset: number, limit: number): Promise<AttendanceRow[]>;
  stats(): Promise<Stats>;

  getPerson(enrollid: number): Promise<PersonRow | null>;
  credentialsOf(enrollid: number): Promise<Array<{ backupnum: number; data: string }>>;

  /** Without a grant: every right, no expiry (as tokens made before scopes). */
  createToken(name: string, tokenHash: string, at: number, grant?: TokenGrant): Promise<ApiTokenRow>;
  /** The live token (not revoked, not expired at `at`) with this hash, its last use recorded. */
  useToken(tokenHash: string, at: number): Promise<ApiTokenRow | null>;
  listTokens(): Promise<ApiTokenRow[]>;
  revokeToken(id: number, at: number): Promise<boolean>;

  /** Records a state-changing action (who, what, when, result). */
  audit(entry: AuditEntry): Promise<void>;
  auditLog(filter: AuditFilter): Promise<Page<AuditRow>>;

  /** Cheap probe for /health: can we read? */
  ping(): Promise<void>;
  close(): void;
}
