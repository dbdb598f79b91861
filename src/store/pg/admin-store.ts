import { and, asc, count, desc, eq, gt, gte, inArray, ne, sql } from "drizzle-orm";
import { type AdminStore, type AdminUserChanges, DIGEST_DAY_KEY, type NewAdminUser, type NewSession, type NotificationStateChange, type PersonLabel, type SessionWithUser } from "../admin-contract.ts";
import { storeError } from "../errors.ts";
import type { PgDb } from "./connect.ts";
import { adminSessions, adminUsers, attendance, notifiedAlerts, people, quarantine, settings } from "./schema.ts";

/** `Store.admin` over PostgreSQL. */
export class PgAdminStore implements AdminStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async createFirstAdmin(user: NewAdminUser) {
    // Two instances' setup pages racing: the lock makes "no admin yet" and the insert one step.
    const id = await this.#db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tm20-first-admin:' || current_schema()))`);
      if ((await tx.select({ id: adminUsers.id }).from(adminUsers).limit(1)).length > 0) return undefined;
      const [row] = await tx
        .insert(adminUsers)
        .values({ username: user.username, passwordHash: user.passwordHash, role: "admin", disabled: false, createdAt: user.at, updatedAt: user.at })
        .returning({ id: adminUsers.id });
      return row?.id;
    });
    return id === undefined ? null : this.getUser(id);
  }

  async createUser(user: NewAdminUser) {
    const [row] = await this.#db
      .insert(adminUsers)
      .values({ username: user.username, passwordHash: user.passwordHash, role: user.role, disabled: false, createdAt: user.at, updatedAt: user.at })
      .onConflictDoNothing()
      .returning();
    return row ?? null;
  }

  async hasUsers() {
    return (await this.#db.select({ id: adminUsers.id }).from(adminUsers).limit(1)).length > 0;
  }

  async listUsers() {
    return this.#db.select().from(adminUsers).orderBy(asc(sql`lower(${adminUsers.username})`));
  }

  async getUser(id: number) {
    const [row] = await this.#db.select().from(adminUsers).where(eq(adminUsers.id, id));
    return row ?? null;
  }

  async userByName(username: string) {
    // Case-insensitive, as SQLite's COLLATE NOCASE column (the unique index is on lower(username)).
    const [row] = await this.#db.select().from(adminUsers).where(sql`lower(${adminUsers.username}) = lower(${username})`);
    return row ?? null;
  }

  async updateUser(id: number, changes: AdminUserChanges, at: number) {
    const [row] = await this.#db.update(adminUsers).set({ ...changes, updatedAt: at }).where(eq(adminUsers.id, id)).returning();
    return row ?? null;
  }

  async deleteUser(id: number) {
    return this.#db.transaction(async (tx) => {
      await tx.delete(adminSessions).where(eq(adminSessions.userId, id));
      return (await tx.delete(adminUsers).where(eq(adminUsers.id, id)).returning({ id: adminUsers.id })).length > 0;
    });
  }

  async countActiveAdmins() {
    const [row] = await this.#db
      .select({ n: count() })
      .from(adminUsers)
      .where(and(eq(adminUsers.role, "admin"), eq(adminUsers.disabled, false)));
    return row?.n ?? 0;
  }

  async recordLogin(id: number, at: number) {
    await this.#db.update(adminUsers).set({ lastLoginAt: at }).where(eq(adminUsers.id, id));
  }

  async createSession(s: NewSession) {
    await this.#db.insert(adminSessions).values({
      tokenHash: s.tokenHash, userId: s.userId, csrfToken: s.csrfToken, createdAt: s.at, lastSeenAt: s.at,
      expiresAt: s.expiresAt, remoteAddr: s.remoteAddr,
    });
  }

  async session(tokenHash: string, now: number): Promise<SessionWithUser | null> {
    const [row] = await this.#db
      .select({ session: adminSessions, user: adminUsers })
      .from(adminSessions)
      .innerJoin(adminUsers, eq(adminUsers.id, adminSessions.userId))
      .where(and(eq(adminSessions.tokenHash, tokenHash), gt(adminSessions.expiresAt, now), eq(adminUsers.disabled, false)));
    return row ?? null;
  }

  async touchSession(tokenHash: string, at: number, expiresAt: number) {
    await this.#db.update(adminSessions).set({ lastSeenAt: at, expiresAt }).where(eq(adminSessions.tokenHash, tokenHash));
  }

  async deleteSession(tokenHash: string) {
    await this.#db.delete(adminSessions).where(eq(adminSessions.tokenHash, tokenHash));
  }

  async deleteSessionsOf(userId: number, keep?: string) {
    const where = keep === undefined ? eq(adminSessions.userId, userId) : and(eq(adminSessions.userId, userId), ne(adminSessions.tokenHash, keep));
    await this.#db.delete(adminSessions).where(where);
  }

  async deleteExpiredSessions(now: number) {
    return (await this.#db.delete(adminSessions).where(sql`${adminSessions.expiresAt} <= ${now}`).returning({ t: adminSessions.tokenHash })).length;
  }

  async settings() {
    const rows = await this.#db.select().from(settings);
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  async putSettings(values: Record<string, string>, at: number) {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    try {
      await this.#db
        .insert(settings)
        .values(entries.map(([key, value]) => ({ key, value, updatedAt: at })))
        .onConflictDoUpdate({ target: settings.key, set: { value: sql`excluded.value`, updatedAt: at } });
    } catch (err) {
      throw storeError("commit_failed", "settings could not be saved", err);
    }
  }

  async notificationState() {
    const alerts = await this.#db.select().from(notifiedAlerts).orderBy(asc(notifiedAlerts.alertId));
    const [day] = await this.#db.select({ value: settings.value }).from(settings).where(eq(settings.key, DIGEST_DAY_KEY));
    return { alerts, digestDay: day?.value ?? null };
  }

  async saveNotificationState(change: NotificationStateChange, at: number) {
    try {
      await this.#db.transaction(async (tx) => {
        if (change.put.length > 0) {
          await tx
            .insert(notifiedAlerts)
            .values(change.put)
            .onConflictDoUpdate({ target: notifiedAlerts.alertId, set: { alert: sql`excluded.alert`, firstSeen: sql`excluded.first_seen`, told: sql`excluded.told` } });
        }
        if (change.remove.length > 0) await tx.delete(notifiedAlerts).where(inArray(notifiedAlerts.alertId, change.remove));
        if (change.digestDay !== undefined) {
          const value = change.digestDay;
          await tx.insert(settings).values({ key: DIGEST_DAY_KEY, value, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } });
        }
      });
    } catch (err) {
      throw storeError("commit_failed", "the notification state could not be saved", err);
    }
  }

  async attendanceAfter(afterId: number, limit: number) {
    return this.#db.select().from(attendance).where(gt(attendance.id, afterId)).orderBy(asc(attendance.id)).limit(limit);
  }

  async latestAttendance(limit: number) {
    return this.#db.select().from(attendance).orderBy(desc(attendance.id)).limit(limit);
  }

  async countAttendanceFrom(from: string) {
    const [row] = await this.#db.select({ n: count() }).from(attendance).where(gte(attendance.time, from));
    return row?.n ?? 0;
  }

  async quarantinedSince(at: number) {
    const [row] = await this.#db.select({ n: count() }).from(quarantine).where(gte(quarantine.receivedAt, at));
    return row?.n ?? 0;
  }

  async peopleLabels(enrollids: number[]) {
    const ids = [...new Set(enrollids)];
    const labels = new Map<number, PersonLabel>();
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await this.#db
        .select({ enrollid: people.enrollid, name: people.name, externalId: people.externalId })
        .from(people)
        .where(inArray(people.enrollid, ids.slice(i, i + 1000)));
      for (const r of rows) labels.set(r.enrollid, { name: r.name, externalId: r.externalId });
    }
    return labels;
  }
}
