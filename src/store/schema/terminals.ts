/** A terminal as it registered, what it holds, and how the server treats its punches. */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const APPROVALS = ["approved", "pending", "blocked"] as const;
export const ACCESS_MODES = ["terminal", "server"] as const;

export const terminals = sqliteTable("terminals", {
  sn: text("sn").primaryKey(),
  name: text("name"),
  location: text("location"),
  approval: text("approval", { enum: APPROVALS }).notNull(),
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
  accessMode: text("access_mode", { enum: ACCESS_MODES }).notNull().default("terminal"),
  /** Issue 16: its in/out punches say who is inside the site (presence, muster list). */
  siteEntrance: integer("site_entrance", { mode: "boolean" }).notNull().default(false),
});

export type TerminalRow = typeof terminals.$inferSelect;
