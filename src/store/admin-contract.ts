/**
 * The admin UI's part of the store contract (`Store.admin`): admin users, their sessions, the
 * site settings, and the few read queries the pages need beyond the public API's.
 */
import type { AdminSessionRow, AdminUserRow, AttendanceRow } from "./schema.ts";

export type AdminRole = "admin" | "viewer";

export interface NewAdminUser {
  username: string;
  passwordHash: string;
  role: AdminRole;
  at: number;
}

export interface AdminUserChanges {
  role?: AdminRole;
  disabled?: boolean;
  passwordHash?: string;
}

export interface NewSession {
  tokenHash: string;
  userId: number;
  csrfToken: string;
  at: number;
  expiresAt: number;
  remoteAddr: string | null;
}

/** A live session and the user it belongs to. */
export interface SessionWithUser {
  session: AdminSessionRow;
  user: AdminUserRow;
}

export interface AdminStore {
  /** Creates the first admin, atomically: null when any admin user already exists. */
  createFirstAdmin(user: NewAdminUser): Promise<AdminUserRow | null>;
  /** Null when the username is taken. */
  createUser(user: NewAdminUser): Promise<AdminUserRow | null>;
  hasUsers(): Promise<boolean>;
  listUsers(): Promise<AdminUserRow[]>;
  getUser(id: number): Promise<AdminUserRow | null>;
  userByName(username: string): Promise<AdminUserRow | null>;
  updateUser(id: number, changes: AdminUserChanges, at: number): Promise<AdminUserRow | null>;
  deleteUser(id: number): Promise<boolean>;
  /** Enabled admins (role admin): the last one may not be demoted, disabled or deleted. */
  countActiveAdmins(): Promise<number>;
  recordLogin(id: number, at: number): Promise<void>;

  createSession(session: NewSession): Promise<void>;
  /** The session with this token hash if it has not expired, its user enabled. */
  session(tokenHash: string, now: number): Promise<SessionWithUser | null>;
  touchSession(tokenHash: string, at: number, expiresAt: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of a user except `keep` (password change, disable, delete). */
  deleteSessionsOf(userId: number, keep?: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;

  settings(): Promise<Record<string, string>>;
  putSettings(values: Record<string, string>, at: number): Promise<void>;

  /** What the alert notifier has told (alerts/notifier.ts), as it was last saved. */
  notificationState(): Promise<NotificationState>;
  /** One transaction: alerts saved (replacing any with the same id) and removed, the digest day set when given. */
  saveNotificationState(change: NotificationStateChange, at: number): Promise<void>;

  /** Attendance rows with id > afterId, oldest first: the live feed resumes from a rowid. */
  attendanceAfter(afterId: number, limit: number): Promise<AttendanceRow[]>;
  /** The newest attendance rows, newest first (primary key order, no scan). */
  latestAttendance(limit: number): Promise<AttendanceRow[]>;
  /** Attendance rows whose site-local time is >= `from` (uses the time index). */
  countAttendanceFrom(from: string): Promise<number>;
  quarantinedSince(at: number): Promise<number>;
  /** Name and payroll number of the given people (missing ones are absent). */
  peopleLabels(enrollids: number[]): Promise<Map<number, PersonLabel>>;
}

/** One alert the notifier tracks (alerts/notify-plan.ts), kept across restarts. */
export interface NotifiedAlert {
  alertId: string;
  /** The alert as last saved (JSON of alerts/model.ts `Alert`): what a later "resolved" message names. */
  alert: string;
  firstSeen: number;
  told: boolean;
}

export interface NotificationState {
  alerts: NotifiedAlert[];
  /** Site-local day (YYYY-MM-DD) of the last daily digest sent; null before the first. */
  digestDay: string | null;
}

export interface NotificationStateChange {
  put: NotifiedAlert[];
  remove: string[];
  digestDay?: string;
}

/**
 * Cluster mode: the one instance that sends alert notifications holds this lease (PostgreSQL
 * only; a single box has one notifier). Shaped as the destination leases (webhook-contract.ts),
 * with the one id `NOTIFIER_LEASE_ID`, so webhooks/leases.ts LeaseKeeper keeps it.
 */
export interface NotifierLeaseStore {
  claim(holder: string, ttlMs: number): Promise<number[]>;
  release(holder: string): Promise<void>;
  holder(): Promise<string | null>;
  /** Saves that fail with the store error "lease_lost" once another instance has taken the lease. */
  fenced(holder: string): Pick<AdminStore, "saveNotificationState">;
}

export const NOTIFIER_LEASE_ID = 1;

/** The settings key of `NotificationState.digestDay`. */
export const DIGEST_DAY_KEY = "notifications_digest_day";

export interface PersonLabel {
  name: string;
  externalId: string | null;
}
