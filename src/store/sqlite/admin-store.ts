import { and, asc, count, desc, eq, gt, gte, inArray, ne, sql } from "drizzle-orm";
import { type AdminStore, type AdminUserChanges, DIGEST_DAY_KEY, type NewAdminUser, type NewSession, type NotificationStateChange, type PersonLabel, type SessionWithUser } from "../admin-contract.ts";
import { storeError } from "../errors.ts";
import { adminSessions, adminUsers, attendance, notifiedAlerts, people, quarantine, settings } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";
import { immediate } from "./transaction.ts";

/** `Store.admin` over SQLite: writes on the store's write connection, reads on its read one. */
export class SqliteAdminStore implements AdminStore {
  #w: SqliteDatabase;
  #r: SqliteDatabase;

  constructor(w: SqliteDatabase, r: SqliteDatabase) {
    this.#w = w;
    this.#r = r;
  }

  async createFirstAdmin(user: NewAdminUser) {
    // One statement, so two browsers racing through the setup page cannot both become admin.
    const rows = this.#w.all<{ id: number }>(sql`
      INSERT INTO admin_users (username, password_hash, role, disabled, created_at, updated_at)
      SELECT ${user.username}, ${user.passwordHash}, 'admin', 0, ${user.at}, ${user.at}
      WHERE NOT EXISTS (SELECT 1 FROM admin_users)
      RETURNING id`);
    const id = rows[0]?.id;
    return id === undefined ? null : this.getUser(id);
  }

  async createUser(user: NewAdminUser) {
    const rows = this.#w
      .insert(adminUsers)
      .values({ username: user.username, passwordHash: user.passwordHash, role: user.role, disabled: false, createdAt: user.at, updatedAt: user.at })
      .onConflictDoNothing()
      .returning()
      .all();
    return rows[0] ?? null;
  }

  async hasUsers() {
    return this.#r.select({ id: adminUsers.id }).from(adminUsers).limit(1).all().length > 0;
  }

  async listUsers() {
    return this.#r.select().from(adminUsers).orderBy(asc(adminUsers.username)).all();
  }

  async getUser(id: number) {
    return this.#r.select().from(adminUsers).where(eq(adminUsers.id, id)).all()[0] ?? null;
  }

  async userByName(username: string) {
    // The column is COLLATE NOCASE, so this matches "Admin" and "admin" alike.
    return this.#r.select().from(adminUsers).where(eq(adminUsers.username, username)).all()[0] ?? null;
  }

  async updateUser(id: number, changes: AdminUserChanges, at: number) {
    return this.#w.update(adminUsers).set({ ...changes, updatedAt: at }).where(eq(adminUsers.id, id)).returning().all()[0] ?? null;
  }

  async deleteUser(id: number) {
    this.#w.delete(adminSessions).where(eq(adminSessions.userId, id)).run();
    return this.#w.delete(adminUsers).where(eq(adminUsers.id, id)).returning({ id: adminUsers.id }).all().length > 0;
  }

  async countActiveAdmins() {
    const rows = this.#r
      .select({ n: count() })
      .from(adminUsers)
      .where(and(eq(adminUsers.role, "admin"), eq(adminUsers.disabled, false)))
      .all();
    return rows[0]?.n ?? 0;
  }

  async recordLogin(id: number, at: number) {
    this.#w.update(adminUsers).set({ lastLoginAt: at }).where(eq(adminUsers.id, id)).run();
  }

  async createSession(s: NewSession) {
    this.#w
      .insert(adminSessions)
      .values({
        tokenHash: s.tokenHash, userId: s.userId, csrfToken: s.csrfToken, createdAt: s.at, lastSeenAt: s.at,
        expiresAt: s.expiresAt, remoteAddr: s.remoteAddr,
      })
      .run();
  }

  async session(tokenHash: string, now: number): Promise<SessionWithUser | null> {
    const row = this.#r
      .select({ session: adminSessions, user: adminUsers })
      .from(adminSessions)
      .innerJoin(adminUsers, eq(adminUsers.id, adminSessions.userId))
      .where(and(eq(adminSessions.tokenHash, tokenHash), gt(adminSessions.expiresAt, now), eq(adminUsers.disabled, false)))
      .all()[0];
    return row ?? null;
  }

  async touchSession(tokenHash: string, at: number, expiresAt: number) {
    this.#w.update(adminSessions).set({ lastSeenAt: at, expiresAt }).where(eq(adminSessions.tokenHash, tokenHash)).run();
  }

  async deleteSession(tokenHash: string) {
    this.#w.delete(adminSessions).where(eq(adminSessions.tokenHash, tokenHash)).run();
  }

  async deleteSessionsOf(userId: number, keep?: string) {
    const where = keep === undefined ? eq(adminSessions.userId, userId) : and(eq(adminSessions.userId, userId), ne(adminSessions.tokenHash, keep));
    this.#w.delete(adminSessions).where(where).run();
  }

  async deleteExpiredSessions(now: number) {
    return this.#w.delete(adminSessions).where(sql`${adminSessions.expiresAt} <= ${now}`).returning({ t: adminSessions.tokenHash }).all().length;
  }

  async settings() {
    const rows = this.#r.select().from(settings).all();
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  async putSettings(values: Record<string, string>, at: number) {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    try {
      immediate(this.#w, () => {
        for (const [key, value] of entries) {
          this.#w.insert(settings).values({ key, value, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } }).run();
        }
      });
    } catch (err) {
      throw storeError("commit_failed", "settings could not be saved", err);
    }
  }

  async notificationState() {
    const alerts = this.#r.select().from(notifiedAlerts).orderBy(asc(notifiedAlerts.alertId)).all();
    const day = this.#r.select({ value: settings.value }).from(settings).where(eq(settings.key, DIGEST_DAY_KEY)).get();
    return { alerts, digestDay: day?.value ?? null };
  }

  async saveNotificationState(change: NotificationStateChange, at: number) {
    try {
      immediate(this.#w, () => {
        for (const a of change.put) this.#w.insert(notifiedAlerts).values(a).onConflictDoUpdate({ target: notifiedAlerts.alertId, set: a }).run();
        if (change.remove.length > 0) this.#w.delete(notifiedAlerts).where(inArray(notifiedAlerts.alertId, change.remove)).run();
        if (change.digestDay !== undefined) {
          const value = change.digestDay;
          this.#w.insert(settings).values({ key: DIGEST_DAY_KEY, value, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } }).run();
        }
      });
    } catch (err) {
      throw storeError("commit_failed", "the notification state could not be saved", err);
    }
  }

  async attendanceAfter(afterId: number, limit: number) {
    return this.#r.select().from(attendance).where(gt(attendance.id, afterId)).orderBy(asc(attendance.id)).limit(limit).all();
  }

  async latestAttendance(limit: number) {
    return this.#r.select().from(attendance).orderBy(desc(attendance.id)).limit(limit).all();
  }

  async countAttendanceFrom(from: string) {
    return this.#r.select({ n: count() }).from(attendance).where(gte(attendance.time, from)).all()[0]?.n ?? 0;
  }

  async quarantinedSince(at: number) {
    return this.#r.select({ n: count() }).from(quarantine).where(gte(quarantine.receivedAt, at)).all()[0]?.n ?? 0;
  }

  async peopleLabels(enrollids: number[]) {
    const ids = [...new Set(enrollids)];
    const labels = new Map<number, PersonLabel>();
    // SQLite limits bound parameters per statement; pages are far smaller, exports come in chunks.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = this.#r
        .select({ enrollid: people.enrollid, name: people.name, externalId: people.externalId })
        .from(people)
        .where(inArray(people.enrollid, ids.slice(i, i + 500)))
        .all();
      for (const r of rows) labels.set(r.enrollid, { name: r.name, externalId: r.externalId });
    }
    return labels;
  }
}
