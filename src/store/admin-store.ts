/**
 * `Store.admin` for both engines, in SQL that SQLite and PostgreSQL read alike, run through each
 * engine's `SqlRunner` (on SQLite: reads on the read connection, writes on the write one) and its
 * `SqlTransaction` where a write needs what an earlier statement returned.
 */
import { type SQL, sql } from "drizzle-orm";
import {
  type AdminStore,
  type AdminUserChanges,
  DIGEST_DAY_KEY,
  type NewAdminUser,
  type NewSession,
  type NotificationStateChange,
  type PersonLabel,
  type SessionWithUser,
} from "./admin-contract.ts";
import { storeError } from "./errors.ts";
import { ATTENDANCE, readAttendance } from "./export-store.ts";
import { type AdminSessionRow, adminUsers, notifiedAlerts } from "./schema.ts";
import { tableRows } from "./sql-rows.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";
import type { SqlTransaction, Steps } from "./sql-transaction.ts";
import { bool, num, oneOf, strOrNull } from "./sql-values.ts";

/** SQLite binds at most 32,766 variables; pages ask for far fewer people, exports come in chunks. */
const LABEL_CHUNK = 500;

const users = tableRows(adminUsers);
const alerts = tableRows(notifiedAlerts);
const USER_OF_SESSION = sql.raw("u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at, u.updated_at, u.last_login_at");
const SESSION = sql.raw("s.token_hash, s.user_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at, s.remote_addr");

const readSession = (r: Row): AdminSessionRow => ({
  tokenHash: String(r.token_hash),
  userId: num(r.user_id),
  csrfToken: String(r.csrf_token),
  createdAt: num(r.s_created_at),
  lastSeenAt: num(r.last_seen_at),
  expiresAt: num(r.expires_at),
  remoteAddr: strOrNull(r.remote_addr),
});


const USER_CHANGES: { [K in keyof AdminUserChanges]-?: (v: NonNullable<AdminUserChanges[K]>) => SQL } = {
  role: (v) => sql`role = ${v}`,
  disabled: (v) => sql`disabled = ${bool(v)}`,
  passwordHash: (v) => sql`password_hash = ${v}`,
};

function putSettingsSql(entries: [string, string][], at: number): SQL {
  const values = sql.join(entries.map(([key, value]) => sql`(${key}, ${value}, ${at})`), sql`, `);
  return sql`INSERT INTO settings ("key", "value", updated_at) VALUES ${values}
    ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", updated_at = excluded.updated_at`;
}

/** The statements of `saveNotificationState`, in order. */
function notificationStateSql(change: NotificationStateChange, at: number): SQL[] {
  const out: SQL[] = [];
  if (change.put.length > 0) {
    const values = sql.join(change.put.map((a) => sql`(${a.alertId}, ${a.alert}, ${a.firstSeen}, ${bool(a.told)})`), sql`, `);
    out.push(sql`INSERT INTO notified_alerts (alert_id, alert, first_seen, told) VALUES ${values}
      ON CONFLICT (alert_id) DO UPDATE SET alert = excluded.alert, first_seen = excluded.first_seen, told = excluded.told`);
  }
  if (change.remove.length > 0) out.push(sql`DELETE FROM notified_alerts WHERE ${oneOf("alert_id", change.remove)}`);
  if (change.digestDay !== undefined) out.push(putSettingsSql([[DIGEST_DAY_KEY, change.digestDay]], at));
  return out;
}

export class SqlAdminStore implements AdminStore {
  #db: SqlRunner;
  #tx: SqlTransaction;

  constructor(db: SqlRunner, tx: SqlTransaction) {
    this.#db = db;
    this.#tx = tx;
  }

  async createFirstAdmin(user: NewAdminUser) {
    // "No admin yet" and the insert are one step, so two setup pages racing (on two cluster
    // instances too) cannot both make an admin.
    const lock = this.#tx.lock("tm20-first-admin");
    const [row] = await this.#tx.run(function* (): Steps<Row[]> {
      if (lock) yield lock;
      return yield {
        rows: sql`INSERT INTO admin_users (username, password_hash, role, disabled, created_at, updated_at)
          SELECT ${user.username}, ${user.passwordHash}, 'admin', FALSE, ${user.at}, ${user.at}
          WHERE NOT EXISTS (SELECT 1 FROM admin_users)
          RETURNING ${users.columns}`,
      };
    });
    return row ? users.read(row) : null;
  }

  async createUser(user: NewAdminUser) {
    // Conflicts on the case-insensitive username (SQLite: COLLATE NOCASE; PostgreSQL: the index on lower(username)).
    const [row] = await this.#db.write(sql`
      INSERT INTO admin_users (username, password_hash, role, disabled, created_at, updated_at)
      VALUES (${user.username}, ${user.passwordHash}, ${user.role}, FALSE, ${user.at}, ${user.at})
      ON CONFLICT DO NOTHING
      RETURNING ${users.columns}`);
    return row ? users.read(row) : null;
  }

  async hasUsers() {
    return (await this.#db.read(sql`SELECT id FROM admin_users LIMIT 1`)).length > 0;
  }

  async listUsers() {
    return (await this.#db.read(sql`SELECT ${users.columns} FROM admin_users ORDER BY lower(username)`)).map(users.read);
  }

  async getUser(id: number) {
    const [row] = await this.#db.read(sql`SELECT ${users.columns} FROM admin_users WHERE id = ${id}`);
    return row ? users.read(row) : null;
  }

  async userByName(username: string) {
    const [row] = await this.#db.read(sql`SELECT ${users.columns} FROM admin_users WHERE lower(username) = lower(${username})`);
    return row ? users.read(row) : null;
  }

  async updateUser(id: number, changes: AdminUserChanges, at: number) {
    const set = [sql`updated_at = ${at}`];
    for (const key of Object.keys(USER_CHANGES) as (keyof AdminUserChanges)[]) {
      const value = changes[key];
      if (value !== undefined) set.push((USER_CHANGES[key] as (v: typeof value) => SQL)(value));
    }
    const [row] = await this.#db.write(sql`UPDATE admin_users SET ${sql.join(set, sql`, `)} WHERE id = ${id} RETURNING ${users.columns}`);
    return row ? users.read(row) : null;
  }

  async deleteUser(id: number) {
    const deleted = await this.#tx.run(function* (): Steps<Row[]> {
      yield { run: sql`DELETE FROM admin_sessions WHERE user_id = ${id}` };
      return yield { rows: sql`DELETE FROM admin_users WHERE id = ${id} RETURNING id` };
    });
    return deleted.length > 0;
  }

  async countActiveAdmins() {
    const [row] = await this.#db.read(sql`SELECT count(*) AS n FROM admin_users WHERE role = 'admin' AND disabled = FALSE`);
    return num(row?.n ?? 0);
  }

  async recordLogin(id: number, at: number) {
    await this.#db.batch([sql`UPDATE admin_users SET last_login_at = ${at} WHERE id = ${id}`]);
  }

  async createSession(s: NewSession) {
    await this.#db.batch([
      sql`INSERT INTO admin_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, remote_addr)
        VALUES (${s.tokenHash}, ${s.userId}, ${s.csrfToken}, ${s.at}, ${s.at}, ${s.expiresAt}, ${s.remoteAddr})`,
    ]);
  }

  async session(tokenHash: string, now: number): Promise<SessionWithUser | null> {
    const [row] = await this.#db.read(sql`
      SELECT ${SESSION}, ${USER_OF_SESSION} FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id
      WHERE s.token_hash = ${tokenHash} AND s.expires_at > ${now} AND u.disabled = FALSE`);
    return row ? { session: readSession(row), user: users.read(row) } : null;
  }

  async touchSession(tokenHash: string, at: number, expiresAt: number) {
    await this.#db.batch([sql`UPDATE admin_sessions SET last_seen_at = ${at}, expires_at = ${expiresAt} WHERE token_hash = ${tokenHash}`]);
  }

  async deleteSession(tokenHash: string) {
    await this.#db.batch([sql`DELETE FROM admin_sessions WHERE token_hash = ${tokenHash}`]);
  }

  async deleteSessionsOf(userId: number, keep?: string) {
    const kept = keep === undefined ? sql`` : sql` AND token_hash <> ${keep}`;
    await this.#db.batch([sql`DELETE FROM admin_sessions WHERE user_id = ${userId}${kept}`]);
  }

  async deleteExpiredSessions(now: number) {
    return (await this.#db.write(sql`DELETE FROM admin_sessions WHERE expires_at <= ${now} RETURNING token_hash`)).length;
  }

  async settings() {
    const rows = await this.#db.read(sql`SELECT "key", "value" FROM settings`);
    return Object.fromEntries(rows.map((r) => [String(r.key), String(r.value)]));
  }

  async putSettings(values: Record<string, string>, at: number) {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    try {
      await this.#db.batch([putSettingsSql(entries, at)]);
    } catch (err) {
      throw storeError("commit_failed", "settings could not be saved", err);
    }
  }

  async notificationState() {
    const [saved = [], day = []] = await this.#db.snapshot([
      sql`SELECT ${alerts.columns} FROM notified_alerts ORDER BY alert_id`,
      sql`SELECT "value" FROM settings WHERE "key" = ${DIGEST_DAY_KEY}`,
    ]);
    return { alerts: saved.map(alerts.read), digestDay: strOrNull(day[0]?.value) };
  }

  async saveNotificationState(change: NotificationStateChange, at: number) {
    try {
      await this.#db.batch(notificationStateSql(change, at));
    } catch (err) {
      throw storeError("commit_failed", "the notification state could not be saved", err);
    }
  }

  async attendanceAfter(afterId: number, limit: number) {
    return (await this.#db.read(sql`SELECT ${ATTENDANCE} FROM attendance WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`)).map(readAttendance);
  }

  async latestAttendance(limit: number) {
    return (await this.#db.read(sql`SELECT ${ATTENDANCE} FROM attendance ORDER BY id DESC LIMIT ${limit}`)).map(readAttendance);
  }

  async countAttendanceFrom(from: string) {
    const [row] = await this.#db.read(sql`SELECT count(*) AS n FROM attendance WHERE time >= ${from}`);
    return num(row?.n ?? 0);
  }

  async quarantinedSince(at: number) {
    const [row] = await this.#db.read(sql`SELECT count(*) AS n FROM quarantine WHERE received_at >= ${at}`);
    return num(row?.n ?? 0);
  }

  async peopleLabels(enrollids: number[]) {
    const ids = [...new Set(enrollids)];
    const labels = new Map<number, PersonLabel>();
    for (let i = 0; i < ids.length; i += LABEL_CHUNK) {
      const rows = await this.#db.read(sql`SELECT enrollid, name, external_id FROM people WHERE ${oneOf("enrollid", ids.slice(i, i + LABEL_CHUNK))}`);
      for (const r of rows) labels.set(num(r.enrollid), { name: String(r.name), externalId: strOrNull(r.external_id) });
    }
    return labels;
  }
}
