/** Terminals (SQLite: ../../schema/terminals.ts). */
import { boolean, integer, pgTable, text } from "drizzle-orm/pg-core";
import { ACCESS_MODES, APPROVALS } from "../../schema/terminals.ts";
import { ms } from "./columns.ts";

export const terminals = pgTable("terminals", {
  sn: text("sn").primaryKey(),
  name: text("name"),
  location: text("location"),
  approval: text("approval", { enum: APPROVALS }).notNull(),
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
  accessMode: text("access_mode", { enum: ACCESS_MODES }).notNull().default("terminal"),
  /** Issue 16: its in/out punches say who is inside the site (presence, muster list). */
  siteEntrance: boolean("site_entrance").notNull().default(false),
});
