/**
 * Drizzle's view of the PostgreSQL tables: the same tables and columns as ../schema.ts, typed so
 * that every row has the very same shape as its SQLite twin (times are bigint ms read as numbers),
 * which is what lets PgStore return the contract's row types unchanged.
 */
import { bigint, bigserial, boolean, doublePrecision, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { TOKEN_SCOPES } from "../schema.ts";

const ms = (name: string) => bigint(name, { mode: "number" });
const id = (name: string) => bigserial(name, { mode: "number" });

export const terminals = pgTable("terminals", {
  sn: text("sn").primaryKey(),
  name: text("name"),
  location: text("location"),
  approval: text("approval", { enum: ["approved", "pending", "blocked"] }).notNull(),
  online: boolean("online").notNull(),
  firstSeen: ms("first_seen").notNull(),
  lastSeen: ms("last_seen").notNull(),
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
  nosenduser: boolean("nosenduser").notNull(),
  sessionId: text("session_id"),
  mismatchCpusn: text("mismatch_cpusn"),
  mismatchMac: text("mismatch_mac"),
  mismatchAddr: text("mismatch_addr"),
  mismatchAt: ms("mismatch_at"),
  /** Issue 16: "server" answers its punches from the access rules; "terminal" leaves them to the unit. */
  accessMode: text("access_mode", { enum: ["terminal", "server"] }).notNull().default("terminal"),
  /** Issue 16: its in/out punches say who is inside the site (presence, muster list). */
  siteEntrance: boolean("site_entrance").notNull().default(false),
});

export const attendance = pgTable("attendance", {
  id: id("id").primaryKey(),
  sn: text("sn").notNull(),
  enrollid: bigint("enrollid", { mode: "number" }).notNull(),
  time: text("time").notNull(),
  ts: ms("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  verifymode: integer("verifymode"),
  temp: doublePrecision("temp"),
  receivedAt: ms("received_at").notNull(),
  /** Issue 16: why the server refused this punch at the door (a `decide` reason); null when it was not refused. */
  refused: text("refused"),
});

export const punchPhotos = pgTable("punch_photos", {
  attendanceId: bigint("attendance_id", { mode: "number" }).primaryKey(),
  data: text("data").notNull(),
  receivedAt: ms("received_at").notNull(),
});

export const doorEvents = pgTable("door_events", {
  id: id("id").primaryKey(),
  sn: text("sn").notNull(),
  time: text("time").notNull(),
  ts: ms("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  receivedAt: ms("received_at").notNull(),
});

export const quarantine = pgTable("quarantine", {
  id: id("id").primaryKey(),
  sn: text("sn"),
  kind: text("kind").notNull(),
  raw: text("raw").notNull(),
  reason: text("reason").notNull(),
  receivedAt: ms("received_at").notNull(),
  originalBytes: integer("original_bytes"),
});

export const people = pgTable("people", {
  enrollid: bigint("enrollid", { mode: "number" }).primaryKey(),
  name: text("name").notNull(),
  admin: integer("admin").notNull(),
  enabled: boolean("enabled").notNull(),
  validFrom: text("valid_from"),
  validTo: text("valid_to"),
  externalId: text("external_id"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const credentials = pgTable(
  "credentials",
  {
    enrollid: bigint("enrollid", { mode: "number" }).notNull(),
    backupnum: integer("backupnum").notNull(),
    data: text("data").notNull(),
    sourceSn: text("source_sn"),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.backupnum] })],
);

export const heldChanges = pgTable("held_changes", {
  id: id("id").primaryKey(),
  at: ms("at").notNull(),
  sn: text("sn").notNull(),
  remoteAddr: text("remote_addr"),
  via: text("via", { enum: ["senduser", "getuserinfo"] }).notNull(),
  enrollid: bigint("enrollid", { mode: "number" }).notNull(),
  name: text("name"),
  admin: integer("admin").notNull(),
  backupnum: integer("backupnum").notNull(),
  data: text("data").notNull(),
  reasons: text("reasons").notNull(),
  previousName: text("previous_name"),
  previousAdmin: integer("previous_admin"),
});

export const apiTokens = pgTable("api_tokens", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull(),
  createdAt: ms("created_at").notNull(),
  lastUsedAt: ms("last_used_at"),
  revokedAt: ms("revoked_at"),
  scope: text("scope", { enum: TOKEN_SCOPES }).notNull(),
  /** Null: never. */
  expiresAt: ms("expires_at"),
});

export const auditLog = pgTable("audit_log", {
  id: id("id").primaryKey(),
  at: ms("at").notNull(),
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  target: text("target"),
  details: text("details"),
  result: text("result").notNull(),
});

export const adminUsers = pgTable("admin_users", {
  id: id("id").primaryKey(),
  /** Unique case-insensitively (an index on lower(username)), as SQLite's COLLATE NOCASE. */
  username: text("username").notNull(),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ["admin", "viewer"] }).notNull(),
  disabled: boolean("disabled").notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
  lastLoginAt: ms("last_login_at"),
});

export const adminSessions = pgTable("admin_sessions", {
  tokenHash: text("token_hash").primaryKey(),
  userId: bigint("user_id", { mode: "number" }).notNull(),
  csrfToken: text("csrf_token").notNull(),
  createdAt: ms("created_at").notNull(),
  lastSeenAt: ms("last_seen_at").notNull(),
  expiresAt: ms("expires_at").notNull(),
  remoteAddr: text("remote_addr"),
});

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

/** Migration 0023: the alert notifier's memory (admin-contract.ts NotifiedAlert). */
export const notifiedAlerts = pgTable("notified_alerts", {
  alertId: text("alert_id").primaryKey(),
  alert: text("alert").notNull(),
  firstSeen: ms("first_seen").notNull(),
  told: boolean("told").notNull(),
});

// ── Migration 0002: the command engine and people management (SQLite: ../commands-schema.ts) ──
const COMMAND_STATUSES = ["queued", "sent", "succeeded", "failed", "timed_out", "expired", "cancelled"] as const;

export const commands = pgTable("commands", {
  id: id("id").primaryKey(),
  sn: text("sn").notNull(),
  command: text("command").notNull(),
  params: text("params").notNull(),
  status: text("status", { enum: COMMAND_STATUSES }).notNull(),
  attempts: integer("attempts").notNull(),
  maxAttempts: integer("max_attempts").notNull(),
  deadline: ms("deadline"),
  actor: text("actor").notNull(),
  jobId: bigint("job_id", { mode: "number" }),
  answer: text("answer"),
  reason: text("reason"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
  sentAt: ms("sent_at"),
  finishedAt: ms("finished_at"),
});

export const commandEvents = pgTable("command_events", {
  id: id("id").primaryKey(),
  commandId: bigint("command_id", { mode: "number" }).notNull(),
  at: ms("at").notNull(),
  status: text("status").notNull(),
  detail: text("detail"),
});

export const jobs = pgTable("jobs", {
  id: id("id").primaryKey(),
  kind: text("kind").notNull(),
  target: text("target").notNull(),
  params: text("params").notNull(),
  status: text("status", { enum: ["running", "succeeded", "failed"] }).notNull(),
  actor: text("actor").notNull(),
  detail: text("detail"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
  finishedAt: ms("finished_at"),
});

export const terminalGroups = pgTable("terminal_groups", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  sync: boolean("sync").notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const terminalGroupMembers = pgTable(
  "terminal_group_members",
  {
    groupId: bigint("group_id", { mode: "number" }).notNull(),
    sn: text("sn").notNull(),
    addedAt: ms("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.sn] })],
);

export const terminalCredentials = pgTable(
  "terminal_credentials",
  {
    sn: text("sn").notNull(),
    enrollid: bigint("enrollid", { mode: "number" }).notNull(),
    backupnum: integer("backupnum").notNull(),
    digest: text("digest").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sn, t.enrollid, t.backupnum] })],
);

export const terminalPeople = pgTable(
  "terminal_people",
  {
    sn: text("sn").notNull(),
    enrollid: bigint("enrollid", { mode: "number" }).notNull(),
    enabled: boolean("enabled").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sn, t.enrollid] })],
);

export const terminalClock = pgTable("terminal_clock", {
  sn: text("sn").primaryKey(),
  driftSeconds: integer("drift_seconds").notNull(),
  checkedAt: ms("checked_at").notNull(),
  correctedAt: ms("corrected_at"),
});

// ── Migration 0003: export cursors and webhooks (SQLite: ../schema.ts) ──
export const exportCursors = pgTable(
  "export_cursors",
  {
    target: text("target").notNull(),
    stream: text("stream").notNull(),
    lastId: bigint("last_id", { mode: "number" }).notNull(),
    exported: bigint("exported", { mode: "number" }).notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.stream] })],
);

export const webhooks = pgTable("webhooks", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  hmacSealed: text("hmac_sealed"),
  terminals: text("terminals"),
  eventTypes: text("event_types").notNull(),
  enabled: boolean("enabled").notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts"),
  attendanceCursor: bigint("attendance_cursor", { mode: "number" }).notNull(),
  doorCursor: bigint("door_cursor", { mode: "number" }).notNull(),
  delivered: bigint("delivered", { mode: "number" }).notNull(),
  attempts: integer("attempts").notNull(),
  lastSuccessAt: ms("last_success_at"),
  lastError: text("last_error"),
  lastErrorAt: ms("last_error_at"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const webhookDeadLetters = pgTable("webhook_dead_letters", {
  id: id("id").primaryKey(),
  webhookId: bigint("webhook_id", { mode: "number" }).notNull(),
  batchId: text("batch_id").notNull(),
  records: text("records").notNull(),
  recordCount: integer("record_count").notNull(),
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  status: text("status", { enum: ["dead", "delivered"] }).notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const peopleImportSources = pgTable("people_import_sources", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  mapping: text("mapping").notNull(),
  paging: text("paging").notNull(),
  disableMissing: boolean("disable_missing").notNull(),
  lastRunAt: ms("last_run_at"),
  lastResult: text("last_result"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

// ── Migration 0006: webhook leases (PostgreSQL only: which instance delivers a destination) ──
export const webhookLeases = pgTable("webhook_leases", {
  webhookId: bigint("webhook_id", { mode: "number" }).primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: ms("expires_at").notNull(),
});

// ── Migration 0023: role leases (PostgreSQL only: the one instance that plays a role, as the notifier) ──
export const roleLeases = pgTable("role_leases", {
  role: text("role").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: ms("expires_at").notNull(),
});

// ── Migration 0010: time and attendance (issue 14). `body` is JSON checked by timesheetSchemas. ──
const enrollid = (name: string) => bigint(name, { mode: "number" });

export const tsDepartments = pgTable("ts_departments", { id: id("id").primaryKey(), name: text("name").notNull() });

export const tsMemberships = pgTable(
  "ts_memberships",
  {
    enrollid: enrollid("enrollid").notNull(),
    fromDate: text("from_date").notNull(),
    departmentId: bigint("department_id", { mode: "number" }).notNull(),
    toDate: text("to_date"),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.fromDate] })],
);

export const tsShifts = pgTable("ts_shifts", { id: id("id").primaryKey(), body: text("body").notNull() });
export const tsSchedules = pgTable("ts_schedules", { id: id("id").primaryKey(), body: text("body").notNull() });
export const tsHolidays = pgTable("ts_holidays", { id: id("id").primaryKey(), date: text("date").notNull(), body: text("body").notNull() });
export const tsLeaveTypes = pgTable("ts_leave_types", { id: id("id").primaryKey(), body: text("body").notNull() });
export const tsLeave = pgTable("ts_leave", {
  id: id("id").primaryKey(),
  enrollid: enrollid("enrollid").notNull(),
  date: text("date").notNull(),
  body: text("body").notNull(),
});
export const tsCorrections = pgTable("ts_corrections", {
  id: id("id").primaryKey(),
  enrollid: enrollid("enrollid").notNull(),
  at: ms("at").notNull(),
  body: text("body").notNull(),
});
export const tsSite = pgTable("ts_site", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsTerminalRules = pgTable("ts_terminal_rules", { sn: text("sn").primaryKey(), interpretation: text("interpretation").notNull() });
export const tsDays = pgTable(
  "ts_days",
  {
    enrollid: enrollid("enrollid").notNull(),
    date: text("date").notNull(),
    departmentId: bigint("department_id", { mode: "number" }),
    status: text("status").notNull(),
    body: text("body").notNull(),
    computedAt: ms("computed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.date] })],
);
// ── Migration 0022: how far the timesheet recompute has followed the punches, and who follows them ──
export const tsFollow = pgTable("ts_follow", {
  id: integer("id").primaryKey(),
  mark: bigint("mark", { mode: "number" }).notNull(),
  holder: text("holder"),
  expiresAt: ms("expires_at").notNull(),
});

// ── Migration 0014: HR delivery destinations (SQLite: ../schema.ts) ──
export const hrDestinations = pgTable("hr_destinations", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  url: text("url").notNull(),
  settings: text("settings").notNull(),
  credentialsSealed: text("credentials_sealed"),
  employeeIdFrom: text("employee_id_from", { enum: ["external_id", "enrollid"] }).notNull(),
  terminals: text("terminals"),
  enabled: boolean("enabled").notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts").notNull(),
  cursor: bigint("cursor", { mode: "number" }).notNull(),
  delivered: bigint("delivered", { mode: "number" }).notNull(),
  skipped: text("skipped").notNull(),
  lastSkip: text("last_skip"),
  attempts: integer("attempts").notNull(),
  lastSuccessAt: ms("last_success_at"),
  lastError: text("last_error"),
  lastErrorAt: ms("last_error_at"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const hrDeadLetters = pgTable("hr_dead_letters", {
  id: id("id").primaryKey(),
  destinationId: bigint("destination_id", { mode: "number" }).notNull(),
  recordId: bigint("record_id", { mode: "number" }).notNull(),
  record: text("record").notNull(),
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  status: text("status", { enum: ["dead", "delivered"] }).notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const hrLeases = pgTable("hr_leases", {
  destinationId: bigint("destination_id", { mode: "number" }).primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: ms("expires_at").notNull(),
});
