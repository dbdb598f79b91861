/** The admin side: API tokens, the audit log, admin users and sessions, site settings, the alert notifier's memory. */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const ADMIN_ROLES = ["admin", "viewer"] as const;

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
  role: text("role", { enum: ADMIN_ROLES }).notNull(),
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
