/** The admin side (SQLite: ../../schema/admin.ts), and the role leases PostgreSQL alone has. */
import { bigint, boolean, pgTable, text } from "drizzle-orm/pg-core";
import { ADMIN_ROLES, TOKEN_SCOPES } from "../../schema/admin.ts";
import { id, ms } from "./columns.ts";

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
  role: text("role", { enum: ADMIN_ROLES }).notNull(),
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

// ── Migration 0023: role leases (PostgreSQL only: the one instance that plays a role, as the notifier) ──
export const roleLeases = pgTable("role_leases", {
  role: text("role").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: ms("expires_at").notNull(),
});
