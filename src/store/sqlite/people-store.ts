import { and, asc, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Credential, GroupWithMembers, PeopleStore, PersonFilter, PersonInput } from "../commands-contract.ts";
import { terminalCredentials, terminalGroupMembers, terminalGroups, terminalPeople } from "../commands-schema.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import { credentials, people } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";
import { immediate } from "./transaction.ts";
import { countHeldChanges, decideHeldChange, listHeldChanges } from "./held-changes.ts";

/** `Store.people` over SQLite: writes on the store's write connection, reads on its read one. */
export class SqlitePeopleStore implements PeopleStore {
  #w: SqliteDatabase;
  #r: SqliteDatabase;

  constructor(w: SqliteDatabase, r: SqliteDatabase) {
    this.#w = w;
    this.#r = r;
  }

  #tx<T>(fn: () => T): T {
    return immediate(this.#w, fn);
  }

  async list(filter: PersonFilter) {
    const where: SQL[] = [];
    const q = filter.q?.trim();
    if (q) {
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const text = or(
        sql`${people.name} LIKE ${pattern} ESCAPE '\\'`,
        sql`${people.externalId} LIKE ${pattern} ESCAPE '\\'`,
      ) as SQL;
      where.push(/^\d{1,15}$/.test(q) ? (or(eq(people.enrollid, Number(q)), text) as SQL) : text);
    }
    if (filter.cursor !== undefined) where.push(gt(people.enrollid, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = this.#r.select().from(people).where(and(...where)).orderBy(asc(people.enrollid)).limit(filter.limit + 1).all();
    const page = pageOf(rows, filter.limit, (r) => encodeCursor([r.enrollid]));
    const ids = page.items.map((p) => p.enrollid);
    const held = new Map<number, number[]>();
    if (ids.length > 0) {
      const creds = this.#r
        .select({ enrollid: credentials.enrollid, backupnum: credentials.backupnum })
        .from(credentials)
        .where(inArray(credentials.enrollid, ids))
        .orderBy(credentials.enrollid, credentials.backupnum)
        .all();
      for (const c of creds) held.set(c.enrollid, [...(held.get(c.enrollid) ?? []), c.backupnum]);
    }
    return { items: page.items.map((p) => ({ ...p, backupnums: held.get(p.enrollid) ?? [] })), next: page.next };
  }

  async all() {
    return this.#r.select().from(people).orderBy(asc(people.enrollid)).all();
  }

  async save(enrollid: number, person: PersonInput, at: number) {
    const row = this.#w
      .insert(people)
      .values({ enrollid, ...person, createdAt: at, updatedAt: at })
      .onConflictDoUpdate({ target: people.enrollid, set: { ...person, updatedAt: at } })
      .returning()
      .all()[0];
    if (!row) throw storeError("insert_failed", "person was not stored");
    return row;
  }

  async remove(enrollid: number) {
    return this.#tx(() => {
      this.#w.delete(credentials).where(eq(credentials.enrollid, enrollid)).run();
      // A person created again under this enrollid starts without the access of the one removed.
      this.#w.run(sql`DELETE FROM access_person_levels WHERE enrollid = ${enrollid}`);
      this.#w.run(sql`DELETE FROM access_qr_codes WHERE enrollid = ${enrollid}`);
      return this.#w.delete(people).where(eq(people.enrollid, enrollid)).returning({ id: people.enrollid }).all().length > 0;
    });
  }

  async credentials(enrollids?: number[]): Promise<Credential[]> {
    const q = this.#r
      .select({ enrollid: credentials.enrollid, backupnum: credentials.backupnum, data: credentials.data })
      .from(credentials);
    const rows = enrollids === undefined ? q.all() : enrollids.length === 0 ? [] : q.where(inArray(credentials.enrollid, enrollids)).all();
    return rows.sort((a, b) => a.enrollid - b.enrollid || a.backupnum - b.backupnum);
  }

  async setCredential(c: Credential, sourceSn: string | null, at: number) {
    this.#w
      .insert(credentials)
      .values({ enrollid: c.enrollid, backupnum: c.backupnum, data: c.data, sourceSn, updatedAt: at })
      .onConflictDoUpdate({ target: [credentials.enrollid, credentials.backupnum], set: { data: c.data, sourceSn, updatedAt: at } })
      .run();
  }

  async removeCredential(enrollid: number, backupnum: number) {
    return (
      this.#w
        .delete(credentials)
        .where(and(eq(credentials.enrollid, enrollid), eq(credentials.backupnum, backupnum)))
        .returning({ id: credentials.enrollid })
        .all().length > 0
    );
  }

  async holdings(sn: string) {
    // The write connection: a sync plan must see the holdings its previous commands recorded.
    const creds = this.#w
      .select({ enrollid: terminalCredentials.enrollid, backupnum: terminalCredentials.backupnum, digest: terminalCredentials.digest })
      .from(terminalCredentials)
      .where(eq(terminalCredentials.sn, sn))
      .all();
    const held = this.#w
      .select({ enrollid: terminalPeople.enrollid, enabled: terminalPeople.enabled })
      .from(terminalPeople)
      .where(eq(terminalPeople.sn, sn))
      .all();
    return { credentials: creds, people: held };
  }

  async holdersOf(enrollid: number) {
    const rows = this.#w
      .select({ sn: terminalPeople.sn })
      .from(terminalPeople)
      .where(eq(terminalPeople.enrollid, enrollid))
      .union(this.#w.select({ sn: terminalCredentials.sn }).from(terminalCredentials).where(eq(terminalCredentials.enrollid, enrollid)))
      .all();
    return rows.map((r) => r.sn).sort();
  }

  async heldCredentialsOf(enrollid: number) {
    return this.#w
      .select({ sn: terminalCredentials.sn, backupnum: terminalCredentials.backupnum })
      .from(terminalCredentials)
      .where(eq(terminalCredentials.enrollid, enrollid))
      .orderBy(asc(terminalCredentials.sn), asc(terminalCredentials.backupnum))
      .all();
  }

  async hold(sn: string, c: { enrollid: number; backupnum: number; digest: string }, at: number) {
    this.#tx(() => {
      this.#w
        .insert(terminalCredentials)
        .values({ sn, enrollid: c.enrollid, backupnum: c.backupnum, digest: c.digest, updatedAt: at })
        .onConflictDoUpdate({
          target: [terminalCredentials.sn, terminalCredentials.enrollid, terminalCredentials.backupnum],
          set: { digest: c.digest, updatedAt: at },
        })
        .run();
      this.#w.insert(terminalPeople).values({ sn, enrollid: c.enrollid, enabled: true, updatedAt: at }).onConflictDoNothing().run();
    });
  }

  async release(sn: string, enrollid: number, backupnums: number[] | null) {
    this.#tx(() => {
      const which = and(eq(terminalCredentials.sn, sn), eq(terminalCredentials.enrollid, enrollid));
      this.#w.delete(terminalCredentials).where(backupnums === null ? which : and(which, inArray(terminalCredentials.backupnum, backupnums))).run();
      if (backupnums === null) this.#w.delete(terminalPeople).where(and(eq(terminalPeople.sn, sn), eq(terminalPeople.enrollid, enrollid))).run();
    });
  }

  async setHeldEnabled(sn: string, enrollid: number, enabled: boolean, at: number) {
    this.#w
      .insert(terminalPeople)
      .values({ sn, enrollid, enabled, updatedAt: at })
      .onConflictDoUpdate({ target: [terminalPeople.sn, terminalPeople.enrollid], set: { enabled, updatedAt: at } })
      .run();
  }

  async releaseAll(sn: string) {
    this.#tx(() => {
      this.#w.delete(terminalCredentials).where(eq(terminalCredentials.sn, sn)).run();
      this.#w.delete(terminalPeople).where(eq(terminalPeople.sn, sn)).run();
    });
  }

  #withMembers(db: SqliteDatabase, where?: SQL): GroupWithMembers[] {
    const groups = db.select().from(terminalGroups).where(where).orderBy(asc(terminalGroups.name)).all();
    if (groups.length === 0) return [];
    const members = db
      .select({ groupId: terminalGroupMembers.groupId, sn: terminalGroupMembers.sn })
      .from(terminalGroupMembers)
      .where(inArray(terminalGroupMembers.groupId, groups.map((g) => g.id)))
      .orderBy(terminalGroupMembers.sn)
      .all();
    return groups.map((g) => ({ ...g, members: members.filter((m) => m.groupId === g.id).map((m) => m.sn) }));
  }

  async listGroups() {
    return this.#withMembers(this.#r);
  }

  async getGroup(id: number) {
    return this.#withMembers(this.#w, eq(terminalGroups.id, id))[0] ?? null;
  }

  async createGroup(name: string, sync: boolean, at: number) {
    const row = this.#w.insert(terminalGroups).values({ name, sync, createdAt: at, updatedAt: at }).onConflictDoNothing().returning().all()[0];
    return row ? { ...row, members: [] } : null;
  }

  async updateGroup(id: number, changes: { name?: string; sync?: boolean }, at: number) {
    const taken =
      changes.name !== undefined &&
      this.#w
        .select({ id: terminalGroups.id })
        .from(terminalGroups)
        .where(eq(terminalGroups.name, changes.name))
        .all()
        .some((g) => g.id !== id);
    if (taken) throw storeError("exists", "a group with this name exists");
    const row = this.#w.update(terminalGroups).set({ ...changes, updatedAt: at }).where(eq(terminalGroups.id, id)).returning().all()[0];
    return row ? this.getGroup(row.id) : null;
  }

  async removeGroup(id: number) {
    return this.#tx(() => {
      this.#w.delete(terminalGroupMembers).where(eq(terminalGroupMembers.groupId, id)).run();
      return this.#w.delete(terminalGroups).where(eq(terminalGroups.id, id)).returning({ id: terminalGroups.id }).all().length > 0;
    });
  }

  async addMember(id: number, sn: string, at: number) {
    return this.#w.insert(terminalGroupMembers).values({ groupId: id, sn, addedAt: at }).onConflictDoNothing().returning().all().length > 0;
  }

  async removeMember(id: number, sn: string) {
    return (
      this.#w
        .delete(terminalGroupMembers)
        .where(and(eq(terminalGroupMembers.groupId, id), eq(terminalGroupMembers.sn, sn)))
        .returning({ sn: terminalGroupMembers.sn })
        .all().length > 0
    );
  }

  async groupsOf(sn: string) {
    return this.#w
      .select({ id: terminalGroups.id, name: terminalGroups.name, sync: terminalGroups.sync, createdAt: terminalGroups.createdAt, updatedAt: terminalGroups.updatedAt })
      .from(terminalGroups)
      .innerJoin(terminalGroupMembers, eq(terminalGroupMembers.groupId, terminalGroups.id))
      .where(eq(terminalGroupMembers.sn, sn))
      .orderBy(asc(terminalGroups.name))
      .all();
  }

  async heldChanges(filter: { cursor?: string; limit: number }) {
    return listHeldChanges(this.#r, filter);
  }

  async countHeldChanges() {
    return countHeldChanges(this.#r);
  }

  async approveHeldChange(id: number, at: number) {
    return this.#tx(() => decideHeldChange(this.#w, id, at));
  }

  async rejectHeldChange(id: number) {
    return decideHeldChange(this.#w, id, null);
  }
}
