/**
 * Drizzle's view of the PostgreSQL tables: the same tables and columns as ../schema.ts, typed so
 * that every row has the very same shape as its SQLite twin (times are bigint ms read as numbers),
 * which is what lets PgStore return the contract's row types unchanged.
 */
import { bigint, bigserial, boolean, doublePrecision, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

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

export const apiTokens = pgTable("api_tokens", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull(),
  createdAt: ms("created_at").notNull(),
  lastUsedAt: ms("last_used_at"),
  revokedAt: ms("revoked_at"),
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
