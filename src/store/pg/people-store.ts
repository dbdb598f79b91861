import { and, asc, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Credential, GroupWithMembers, PeopleStore, PersonFilter, PersonInput } from "../commands-contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import type { PgDb } from "./connect.ts";
import { countHeldChanges, decideHeldChange, listHeldChanges } from "./held-changes.ts";
import { credentials, people, terminalCredentials, terminalGroupMembers, terminalGroups, terminalPeople } from "./schema.ts";

/** `Store.people` over PostgreSQL. */
export class PgPeopleStore implements PeopleStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async list(filter: PersonFilter) {
    const where: SQL[] = [];
    const q = filter.q?.trim();
    if (q) {
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const text = or(sql`${people.name} ILIKE ${pattern}`, sql`${people.externalId} ILIKE ${pattern}`) as SQL;
      where.push(/^\d{1,15}$/.test(q) ? (or(eq(people.enrollid, Number(q)), text) as SQL) : text);
    }
    if (filter.cursor !== undefined) where.push(gt(people.enrollid, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = await this.#db.select().from(people).where(and(...where)).orderBy(asc(people.enrollid)).limit(filter.limit + 1);
    const page = pageOf(rows, filter.limit, (r) => encodeCursor([r.enrollid]));
    const ids = page.items.map((p) => p.enrollid);
    const held = new Map<number, number[]>();
    if (ids.length > 0) {
      const creds = await this.#db
        .select({ enrollid: credentials.enrollid, backupnum: credentials.backupnum })
        .from(credentials)
        .where(inArray(credentials.enrollid, ids))
        .orderBy(credentials.enrollid, credentials.backupnum);
      for (const c of creds) held.set(c.enrollid, [...(held.get(c.enrollid) ?? []), c.backupnum]);
    }
    return { items: page.items.map((p) => ({ ...p, backupnums: held.get(p.enrollid) ?? [] })), next: page.next };
  }

  async all() {
    return this.#db.select().from(people).orderBy(asc(people.enrollid));
  }

  async save(enrollid: number, person: PersonInput, at: number) {
    const [row] = await this.#db
      .insert(people)
      .values({ enrollid, ...person, createdAt: at, updatedAt: at })
      .onConflictDoUpdate({ target: people.enrollid, set: { ...person, updatedAt: at } })
      .returning();
    if (!row) throw storeError("insert_failed", "person was not stored");
    return row;
  }

  async remove(enrollid: number) {
    return this.#db.transaction(async (tx) => {
      await tx.delete(credentials).where(eq(credentials.enrollid, enrollid));
      // A person created again under this enrollid starts without the access of the one removed.
      await tx.execute(sql`DELETE FROM access_person_levels WHERE enrollid = ${enrollid}`);
      await tx.execute(sql`DELETE FROM access_qr_codes WHERE enrollid = ${enrollid}`);
      return (await tx.delete(people).where(eq(people.enrollid, enrollid)).returning({ id: people.enrollid })).length > 0;
    });
  }

  async credentials(enrollids?: number[]): Promise<Credential[]> {
    if (enrollids !== undefined && enrollids.length === 0) return [];
    const q = this.#db.select({ enrollid: credentials.enrollid, backupnum: credentials.backupnum, data: credentials.data }).from(credentials);
    const rows = enrollids === undefined ? await q : await q.where(inArray(credentials.enrollid, enrollids));
    return rows.sort((a, b) => a.enrollid - b.enrollid || a.backupnum - b.backupnum);
  }

  async setCredential(c: Credential, sourceSn: string | null, at: number) {
    await this.#db
      .insert(credentials)
      .values({ enrollid: c.enrollid, backupnum: c.backupnum, data: c.data, sourceSn, updatedAt: at })
      .onConflictDoUpdate({ target: [credentials.enrollid, credentials.backupnum], set: { data: c.data, sourceSn, updatedAt: at } });
  }

  async removeCredential(enrollid: number, backupnum: number) {
    const rows = await this.#db
      .delete(credentials)
      .where(and(eq(credentials.enrollid, enrollid), eq(credentials.backupnum, backupnum)))
      .returning({ id: credentials.enrollid });
    return rows.length > 0;
  }

  async holdings(sn: string) {
    const [creds, held] = await Promise.all([
      this.#db
        .select({ enrollid: terminalCredentials.enrollid, backupnum: terminalCredentials.backupnum, digest: terminalCredentials.digest })
        .from(terminalCredentials)
        .where(eq(terminalCredentials.sn, sn)),
      this.#db.select({ enrollid: terminalPeople.enrollid, enabled: terminalPeople.enabled }).from(terminalPeople).where(eq(terminalPeople.sn, sn)),
    ]);
    return { credentials: creds, people: held };
  }

  async holdersOf(enrollid: number) {
    const rows = await this.#db
      .select({ sn: terminalPeople.sn })
      .from(terminalPeople)
      .where(eq(terminalPeople.enrollid, enrollid))
      .union(this.#db.select({ sn: terminalCredentials.sn }).from(terminalCredentials).where(eq(terminalCredentials.enrollid, enrollid)));
    return rows.map((r) => r.sn).sort();
  }

  async heldCredentialsOf(enrollid: number) {
    return this.#db
      .select({ sn: terminalCredentials.sn, backupnum: terminalCredentials.backupnum })
      .from(terminalCredentials)
      .where(eq(terminalCredentials.enrollid, enrollid))
      .orderBy(asc(terminalCredentials.sn), asc(terminalCredentials.backupnum));
  }

  async hold(sn: string, c: { enrollid: number; backupnum: number; digest: string }, at: number) {
    await this.#db.transaction(async (tx) => {
      await tx
        .insert(terminalCredentials)
        .values({ sn, enrollid: c.enrollid, backupnum: c.backupnum, digest: c.digest, updatedAt: at })
        .onConflictDoUpdate({
          target: [terminalCredentials.sn, terminalCredentials.enrollid, terminalCredentials.backupnum],
          set: { digest: c.digest, updatedAt: at },
        });
      await tx.insert(terminalPeople).values({ sn, enrollid: c.enrollid, enabled: true, updatedAt: at }).onConflictDoNothing();
    });
  }

  async release(sn: string, enrollid: number, backupnums: number[] | null) {
    await this.#db.transaction(async (tx) => {
      const which = and(eq(terminalCredentials.sn, sn), eq(terminalCredentials.enrollid, enrollid));
      await tx.delete(terminalCredentials).where(backupnums === null ? which : and(which, inArray(terminalCredentials.backupnum, backupnums)));
      if (backupnums === null) await tx.delete(terminalPeople).where(and(eq(terminalPeople.sn, sn), eq(terminalPeople.enrollid, enrollid)));
    });
  }

  async setHeldEnabled(sn: string, enrollid: number, enabled: boolean, at: number) {
    await this.#db
      .insert(terminalPeople)
      .values({ sn, enrollid, enabled, updatedAt: at })
      .onConflictDoUpdate({ target: [terminalPeople.sn, terminalPeople.enrollid], set: { enabled, updatedAt: at } });
  }

  async releaseAll(sn: string) {
    await this.#db.transaction(async (tx) => {
      await tx.delete(terminalCredentials).where(eq(terminalCredentials.sn, sn));
      await tx.delete(terminalPeople).where(eq(terminalPeople.sn, sn));
    });
  }

  async #withMembers(where?: SQL): Promise<GroupWithMembers[]> {
    const groups = await this.#db.select().from(terminalGroups).where(where).orderBy(asc(terminalGroups.name));
    if (groups.length === 0) return [];
    const members = await this.#db
      .select({ groupId: terminalGroupMembers.groupId, sn: terminalGroupMembers.sn })
      .from(terminalGroupMembers)
      .where(inArray(terminalGroupMembers.groupId, groups.map((g) => g.id)))
      .orderBy(terminalGroupMembers.sn);
    return groups.map((g) => ({ ...g, members: members.filter((m) => m.groupId === g.id).map((m) => m.sn) }));
  }

  async listGroups() {
    return this.#withMembers();
  }

  async getGroup(id: number) {
    return (await this.#withMembers(eq(terminalGroups.id, id)))[0] ?? null;
  }

  async createGroup(name: string, sync: boolean, at: number) {
    const [row] = await this.#db.insert(terminalGroups).values({ name, sync, createdAt: at, updatedAt: at }).onConflictDoNothing().returning();
    return row ? { ...row, members: [] } : null;
  }

  async updateGroup(id: number, changes: { name?: string; sync?: boolean }, at: number) {
    if (changes.name !== undefined) {
      const same = await this.#db.select({ id: terminalGroups.id }).from(terminalGroups).where(eq(terminalGroups.name, changes.name));
      if (same.some((g) => g.id !== id)) throw storeError("exists", "a group with this name exists");
    }
    const [row] = await this.#db.update(terminalGroups).set({ ...changes, updatedAt: at }).where(eq(terminalGroups.id, id)).returning();
    return row ? this.getGroup(row.id) : null;
  }

  async removeGroup(id: number) {
    return this.#db.transaction(async (tx) => {
      await tx.delete(terminalGroupMembers).where(eq(terminalGroupMembers.groupId, id));
      return (await tx.delete(terminalGroups).where(eq(terminalGroups.id, id)).returning({ id: terminalGroups.id })).length > 0;
    });
  }

  async addMember(id: number, sn: string, at: number) {
    return (await this.#db.insert(terminalGroupMembers).values({ groupId: id, sn, addedAt: at }).onConflictDoNothing().returning()).length > 0;
  }

  async removeMember(id: number, sn: string) {
    const rows = await this.#db
      .delete(terminalGroupMembers)
      .where(and(eq(terminalGroupMembers.groupId, id), eq(terminalGroupMembers.sn, sn)))
      .returning({ sn: terminalGroupMembers.sn });
    return rows.length > 0;
  }

  async groupsOf(sn: string) {
    return this.#db
      .select({ id: terminalGroups.id, name: terminalGroups.name, sync: terminalGroups.sync, createdAt: terminalGroups.createdAt, updatedAt: terminalGroups.updatedAt })
      .from(terminalGroups)
      .innerJoin(terminalGroupMembers, eq(terminalGroupMembers.groupId, terminalGroups.id))
      .where(eq(terminalGroupMembers.sn, sn))
      .orderBy(asc(terminalGroups.name));
  }

  async heldChanges(filter: { cursor?: string; limit: number }) {
    return listHeldChanges(this.#db, filter);
  }

  async countHeldChanges() {
    return countHeldChanges(this.#db);
  }

  async approveHeldChange(id: number, at: number) {
    return this.#db.transaction((tx) => decideHeldChange(tx, id, at));
  }

  async rejectHeldChange(id: number) {
    return decideHeldChange(this.#db, id, null);
  }
}
