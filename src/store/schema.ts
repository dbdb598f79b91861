/**
 * Drizzle's view of the tables. The SQL migrations are the source of truth for the database;
 * this file must describe the same columns (the store contract test reads and writes every one).
 */
import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const terminals = sqliteTable("terminals", {
  sn: text("sn").primaryKey(),
  name: text("name"),
  location: text("location"),
  approval: text("approval", { enum: ["approved", "pending", "blocked"] }).notNull(),
  online: integer("online", { mode: "boolean" }).notNull(),
  firstSeen: integer("first_seen").notNull(),
  lastSeen: integer("last_seen").notNull(),
  remoteAddr: text("remote_addr"),
  cpusn: text("cpusn"),
  model: text("model"),
  firmware: text("firmware"),
  fpalgo: text("fpalgo"),
  mac: text("mac"),
  userSize: integer("user_size"),
  userUsed: integer("user_used"),
  fpSize: integer("fp_size"),
  fpUsed: integer("fp_used"),
  cardSize: integer("card_size"),
  cardUsed: integer("card_used"),
  pwdSize: integer("pwd_size"),
  pwdUsed: integer("pwd_used"),
  logSize: integer("log_size"),
  logUsed: integer("log_used"),
  newlogUsed: integer("newlog_used"),
  faceSize: integer("face_size"),
  faceUsed: integer("face_used"),
  palmSize: integer("palm_size"),
  palmUsed: integer("palm_used"),
  terminalTime: text("terminal_time"),
  devinfo: text("devinfo"),
  nosenduser: integer("nosenduser", { mode: "boolean" }).notNull(),
  /** The connection that last registered; only its close may mark the terminal offline. */
  sessionId: text("session_id"),
  /**
   * The latest registration under this sn whose hardware identity (cpusn, mac) differs from the
   * one remembered in `cpusn`/`mac`: what it sent, from where, when. Null when there is none;
   * cleared when an admin accepts it ("Replaced hardware").
   */
  mismatchCpusn: text("mismatch_cpusn"),
  mismatchMac: text("mismatch_mac"),
  mismatchAddr: text("mismatch_addr"),
  mismatchAt: integer("mismatch_at"),
  /** Issue 16: "server" answers its punches from the access rules; "terminal" leaves them to the unit. */
  accessMode: text("access_mode", { enum: ["terminal", "server"] }).notNull().default("terminal"),
  /** Issue 16: its in/out punches say who is inside the site (presence, muster list). */
  siteEntrance: integer("site_entrance", { mode: "boolean" }).notNull().default(false),
});

export const attendance = sqliteTable("attendance", {
  id: integer("id").primaryKey(),
  sn: text("sn").notNull(),
  enrollid: integer("enrollid").notNull(),
  time: text("time").notNull(),
  ts: integer("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  verifymode: integer("verifymode"),
  temp: real("temp"),
  receivedAt: integer("received_at").notNull(),
  /** Issue 16: why the server refused this punch at the door (a `decide` reason); null when it was not refused. */
  refused: text("refused"),
});

export const punchPhotos = sqliteTable("punch_photos", {
  attendanceId: integer("attendance_id").primaryKey(),
  data: text("data").notNull(),
  receivedAt: integer("received_at").notNull(),
});

export const doorEvents = sqliteTable("door_events", {
  id: integer("id").primaryKey(),
  sn: text("sn").notNull(),
  time: text("time").notNull(),
  ts: integer("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  receivedAt: integer("received_at").notNull(),
});

export const quarantine = sqliteTable("quarantine", {
  id: integer("id").primaryKey(),
  sn: text("sn"),
  kind: text("kind").notNull(),
  raw: text("raw").notNull(),
  reason: text("reason").notNull(),
  receivedAt: integer("received_at").notNull(),
  /** The raw frame's size in bytes when it was cut to the bound (store/quarantine-bounds.ts); null: kept whole. */
  originalBytes: integer("original_bytes"),
});

export const people = sqliteTable("people", {
  enrollid: integer("enrollid").primaryKey(),
  name: text("name").notNull(),
  admin: integer("admin").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  validFrom: text("valid_from"),
  validTo: text("valid_to"),
  externalId: text("external_id"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const credentials = sqliteTable(
  "credentials",
  {
    enrollid: integer("enrollid").notNull(),
    backupnum: integer("backupnum").notNull(),
    data: text("data").notNull(),
    sourceSn: text("source_sn"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.backupnum] })],
);

/** Migration 0013: a person change from a terminal waiting for an admin (people/terminal-change.ts). */
export const heldChanges = sqliteTable("held_changes", {
  id: integer("id").primaryKey(),
  at: integer("at").notNull(),
  sn: text("sn").notNull(),
  remoteAddr: text("remote_addr"),
  /** The message it came in: "senduser" (a keypad) or "getuserinfo" (a pull). */
  via: text("via", { enum: ["senduser", "getuserinfo"] }).notNull(),
  enrollid: integer("enrollid").notNull(),
  /** Null: the terminal sent no name. */
  name: text("name"),
  admin: integer("admin").notNull(),
  backupnum: integer("backupnum").notNull(),
  data: text("data").notNull(),
  /** JSON array of ChangeReason. */
  reasons: text("reasons").notNull(),
  /** The person as stored when it arrived; null for a person the site did not know. */
  previousName: text("previous_name"),
  previousAdmin: integer("previous_admin"),
});
export type HeldChangeRow = typeof heldChanges.$inferSelect;

/** What an API token may do: read; also queue commands; everything (backups, webhooks, tokens, credentials). */
export const TOKEN_SCOPES = ["read", "commands", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
  scope: text("scope", { enum: TOKEN_SCOPES }).notNull(),
  /** Null: never. */
  expiresAt: integer("expires_at"),
});

export type TerminalRow = typeof terminals.$inferSelect;
export type AttendanceRow = typeof attendance.$inferSelect;
export type DoorEventRow = typeof doorEvents.$inferSelect;
export type QuarantineRow = typeof quarantine.$inferSelect;
export type PersonRow = typeof people.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

export const auditLog = sqliteTable("audit_log", {
  id: integer("id").primaryKey(),
  at: integer("at").notNull(),
  /** "user:<name>", "token:<name>", "cli" or "system". */
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  target: text("target"),
  details: text("details"),
  result: text("result").notNull(),
});
export type AuditRow = typeof auditLog.$inferSelect;

export const adminUsers = sqliteTable("admin_users", {
  id: integer("id").primaryKey(),
  username: text("username").notNull(),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ["admin", "viewer"] }).notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  lastLoginAt: integer("last_login_at"),
});
export type AdminUserRow = typeof adminUsers.$inferSelect;

export const adminSessions = sqliteTable("admin_sessions", {
  tokenHash: text("token_hash").primaryKey(),
  userId: integer("user_id").notNull(),
  csrfToken: text("csrf_token").notNull(),
  createdAt: integer("created_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  remoteAddr: text("remote_addr"),
});
export type AdminSessionRow = typeof adminSessions.$inferSelect;

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Migration 0023: the alert notifier's memory (admin-contract.ts NotifiedAlert). */
export const notifiedAlerts = sqliteTable("notified_alerts", {
  alertId: text("alert_id").primaryKey(),
  alert: text("alert").notNull(),
  firstSeen: integer("first_seen").notNull(),
  told: integer("told", { mode: "boolean" }).notNull(),
});

/** Export to PostgreSQL: the last row id exported per stream, per target database. */
export const exportCursors = sqliteTable(
  "export_cursors",
  {
    /** host:port/database#schema of the target (PgTarget.key); a re-created target starts over. */
    target: text("target").notNull(),
    stream: text("stream").notNull(),
    lastId: integer("last_id").notNull(),
    exported: integer("exported").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.stream] })],
);

export const webhooks = sqliteTable("webhooks", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  /** The auth header's name; its value is sealed (never shown back). */
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  hmacSealed: text("hmac_sealed"),
  /** JSON array of serial numbers; null: every terminal. */
  terminals: text("terminals"),
  /** JSON array of "attendance" / "door_event". */
  eventTypes: text("event_types").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts"),
  /** Outbox cursors: the last attendance / door-event row id delivered (or dead-lettered). */
  attendanceCursor: integer("attendance_cursor").notNull(),
  doorCursor: integer("door_cursor").notNull(),
  delivered: integer("delivered").notNull(),
  /** Consecutive failed attempts of the batch at the head of the outbox. */
  attempts: integer("attempts").notNull(),
  lastSuccessAt: integer("last_success_at"),
  lastError: text("last_error"),
  lastErrorAt: integer("last_error_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type WebhookRow = typeof webhooks.$inferSelect;

export const webhookDeadLetters = sqliteTable("webhook_dead_letters", {
  id: integer("id").primaryKey(),
  webhookId: integer("webhook_id").notNull(),
  batchId: text("batch_id").notNull(),
  /** The records exactly as they were sent (JSON array). */
  records: text("records").notNull(),
  recordCount: integer("record_count").notNull(),
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  status: text("status", { enum: ["dead", "delivered"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type DeadLetterRow = typeof webhookDeadLetters.$inferSelect;

export const peopleImportSources = sqliteTable("people_import_sources", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  /** JSON: which source field feeds which person field. */
  mapping: text("mapping").notNull(),
  /** JSON: how to walk the pages. */
  paging: text("paging").notNull(),
  disableMissing: integer("disable_missing", { mode: "boolean" }).notNull(),
  lastRunAt: integer("last_run_at"),
  lastResult: text("last_result"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type PeopleImportSourceRow = typeof peopleImportSources.$inferSelect;

// ── Migration 0010: time and attendance (issue 14). `body` is JSON checked by timesheetSchemas. ──
export const tsDepartments = sqliteTable("ts_departments", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
});

export const tsMemberships = sqliteTable(
  "ts_memberships",
  {
    enrollid: integer("enrollid").notNull(),
    fromDate: text("from_date").notNull(),
    departmentId: integer("department_id").notNull(),
    toDate: text("to_date"),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.fromDate] })],
);

export const tsShifts = sqliteTable("ts_shifts", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsSchedules = sqliteTable("ts_schedules", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsHolidays = sqliteTable("ts_holidays", { id: integer("id").primaryKey(), date: text("date").notNull(), body: text("body").notNull() });
export const tsLeaveTypes = sqliteTable("ts_leave_types", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsLeave = sqliteTable("ts_leave", {
  id: integer("id").primaryKey(),
  enrollid: integer("enrollid").notNull(),
  date: text("date").notNull(),
  body: text("body").notNull(),
});
export const tsCorrections = sqliteTable("ts_corrections", {
  id: integer("id").primaryKey(),
  enrollid: integer("enrollid").notNull(),
  at: integer("at").notNull(),
  body: text("body").notNull(),
});
export const tsSite = sqliteTable("ts_site", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsTerminalRules = sqliteTable("ts_terminal_rules", { sn: text("sn").primaryKey(), interpretation: text("interpretation").notNull() });
export const tsDays = sqliteTable(
  "ts_days",
  {
    enrollid: integer("enrollid").notNull(),
    date: text("date").notNull(),
    departmentId: integer("department_id"),
    status: text("status").notNull(),
    body: text("body").notNull(),
    computedAt: integer("computed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.date] })],
);

// ── Migration 0022: how far the timesheet recompute has followed the punches, and who follows them ──
export const tsFollow = sqliteTable("ts_follow", {
  id: integer("id").primaryKey(),
  mark: integer("mark").notNull(),
  holder: text("holder"),
  expiresAt: integer("expires_at").notNull(),
});

// ── Migration 0014: HR delivery destinations (issue 19; store/hr-contract.ts) ──
export const hrDestinations = sqliteTable("hr_destinations", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  url: text("url").notNull(),
  /** The kind's own settings (JSON). */
  settings: text("settings").notNull(),
  /** The kind's secrets as sealed JSON. */
  credentialsSealed: text("credentials_sealed"),
  employeeIdFrom: text("employee_id_from", { enum: ["external_id", "enrollid"] }).notNull(),
  /** JSON array of serial numbers; null: every terminal. */
  terminals: text("terminals"),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts").notNull(),
  /** Outbox cursor: the last attendance row id settled. */
  cursor: integer("cursor").notNull(),
  delivered: integer("delivered").notNull(),
  /** JSON object: skip reason → records the remote refused for it. */
  skipped: text("skipped").notNull(),
  lastSkip: text("last_skip"),
  /** Consecutive failed attempts of the record after the cursor. */
  attempts: integer("attempts").notNull(),
  lastSuccessAt: integer("last_success_at"),
  lastError: text("last_error"),
  lastErrorAt: integer("last_error_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type HrDestinationRow = typeof hrDestinations.$inferSelect;

export const hrDeadLetters = sqliteTable("hr_dead_letters", {
  id: integer("id").primaryKey(),
  destinationId: integer("destination_id").notNull(),
  recordId: integer("record_id").notNull(),
  /** The record as the adapter was given it (JSON). */
  record: text("record").notNull(),
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  status: text("status", { enum: ["dead", "delivered"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type HrDeadLetterRow = typeof hrDeadLetters.$inferSelect;
