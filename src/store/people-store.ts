/**
 * `Store.people` for both engines, in SQL that SQLite and PostgreSQL read alike, run through each
 * engine's `SqlRunner`; what differs (the search's LIKE) comes in a dialect object from each
 * engine's store. The held changes' statements are held-changes.ts's (the group commit writes them too).
 */
import { type SQL, sql } from "drizzle-orm";
import type { Credential, GroupWithMembers, PeopleStore, PersonFilter, PersonInput } from "./commands-contract.ts";
import { terminalCredentials, terminalGroupMembers, terminalGroups, terminalPeople } from "./commands-schema.ts";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { storeError } from "./errors.ts";
import { decideHeldChange, heldRows } from "./held-changes.ts";
import { credentials, people } from "./schema.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";
import { tableRows } from "./sql-rows.ts";
import type { SqlTransaction } from "./sql-transaction.ts";
import { containing, oneOf, whereAll } from "./sql-values.ts";

const persons = tableRows(people);
const creds = tableRows(credentials);
const held = tableRows(terminalCredentials);
const heldPeople = tableRows(terminalPeople);
const groups = tableRows(terminalGroups);
const members = tableRows(terminalGroupMembers);

export interface PeopleDialect {
  /** Case-insensitive LIKE: SQLite's LIKE (ASCII), PostgreSQL's ILIKE. */
  like: SQL;
}

const credential = (r: Row): Credential => ({ enrollid: Number(r.enrollid), backupnum: Number(r.backupnum), data: String(r.data) });

/**
 * Reads of what terminals hold and of single groups go through `write`, on SQLite the write
 * connection: a sync plan must see the holdings its previous commands recorded.
 */
export class SqlPeopleStore implements PeopleStore {
  #db: SqlRunner;
  #tx: SqlTransaction;
  #dialect: PeopleDialect;

  constructor(db: SqlRunner, tx: SqlTransaction, dialect: PeopleDialect) {
    this.#db = db;
    this.#tx = tx;
    this.#dialect = dialect;
  }

  async list(filter: PersonFilter) {
    const where: SQL[] = [];
    const q = filter.q?.trim();
    if (q) {
      const pattern = containing(q);
      const like = this.#dialect.like;
      const text = sql`(name ${like} ${pattern} ESCAPE '\\' OR external_id ${like} ${pattern} ESCAPE '\\')`;
      where.push(/^\d{1,15}$/.test(q) ? sql`(enrollid = ${Number(q)} OR ${text})` : text);
    }
    if (filter.levelId !== undefined) where.push(sql`enrollid IN (SELECT enrollid FROM access_person_levels WHERE level_id = ${filter.levelId})`);
    if (filter.cursor !== undefined) where.push(sql`enrollid > ${decodeCursor(filter.cursor, ["number"])[0]}`);
    const rows = await this.#db.read(sql`SELECT ${persons.columns} FROM people ${whereAll(where)} ORDER BY enrollid LIMIT ${filter.limit + 1}`);
    const page = pageOf(rows.map(persons.read), filter.limit, (r) => encodeCursor([r.enrollid]));
    const backupnums = new Map<number, number[]>();
    if (page.items.length > 0) {
      const found = await this.#db.read(
        sql`SELECT enrollid, backupnum FROM credentials WHERE ${oneOf("enrollid", page.items.map((p) => p.enrollid))} ORDER BY enrollid, backupnum`,
      );
      for (const c of found) backupnums.set(Number(c.enrollid), [...(backupnums.get(Number(c.enrollid)) ?? []), Number(c.backupnum)]);
    }
    return { items: page.items.map((p) => ({ ...p, backupnums: backupnums.get(p.enrollid) ?? [] })), next: page.next };
  }

  async all() {
    return (await this.#db.read(sql`SELECT ${persons.columns} FROM people ORDER BY enrollid`)).map(persons.read);
  }

  async some(enrollids: readonly number[]) {
    if (enrollids.length === 0) return [];
    return (await this.#db.read(sql`SELECT ${persons.columns} FROM people WHERE ${oneOf("enrollid", enrollids)} ORDER BY enrollid`)).map(persons.read);
  }

  async save(enrollid: number, person: PersonInput, at: number) {
    const [row] = await this.#db.write(sql`
      INSERT INTO people ${persons.insert({ enrollid, ...person, createdAt: at, updatedAt: at })}
      ON CONFLICT (enrollid) DO UPDATE SET ${persons.set({ ...person, updatedAt: at })} RETURNING ${persons.columns}`);
    if (!row) throw storeError("insert_failed", "person was not stored");
    return persons.read(row);
  }

  async remove(enrollid: number) {
    const removed = await this.#db.transaction([
      sql`DELETE FROM credentials WHERE enrollid = ${enrollid} RETURNING enrollid`,
      // A person created again under this enrollid starts without the access of the one removed.
      sql`DELETE FROM access_person_levels WHERE enrollid = ${enrollid} RETURNING enrollid`,
      sql`DELETE FROM access_qr_codes WHERE enrollid = ${enrollid} RETURNING enrollid`,
      sql`DELETE FROM people WHERE enrollid = ${enrollid} RETURNING enrollid`,
    ]);
    return (removed.at(-1) ?? []).length > 0;
  }

  async credentials(enrollids?: number[]): Promise<Credential[]> {
    if (enrollids !== undefined && enrollids.length === 0) return [];
    const which = enrollids === undefined ? sql`` : sql`WHERE ${oneOf("enrollid", enrollids)}`;
    return (await this.#db.read(sql`SELECT enrollid, backupnum, data FROM credentials ${which} ORDER BY enrollid, backupnum`)).map(credential);
  }

  async setCredential(c: Credential, sourceSn: string | null, at: number) {
    await this.#db.write(sql`
      INSERT INTO credentials ${creds.insert({ ...c, sourceSn, updatedAt: at })}
      ON CONFLICT (enrollid, backupnum) DO UPDATE SET ${creds.set({ data: c.data, sourceSn, updatedAt: at })} RETURNING enrollid`);
  }

  async removeCredential(enrollid: number, backupnum: number) {
    return (await this.#db.write(sql`DELETE FROM credentials WHERE enrollid = ${enrollid} AND backupnum = ${backupnum} RETURNING enrollid`)).length > 0;
  }

  async holdings(sn: string) {
    const [credentials, people] = await Promise.all([
      this.#db.write(sql`SELECT enrollid, backupnum, digest FROM terminal_credentials WHERE sn = ${sn}`),
      this.#db.write(sql`SELECT ${heldPeople.columns} FROM terminal_people WHERE sn = ${sn}`),
    ]);
    return {
      credentials: credentials.map((r) => ({ enrollid: Number(r.enrollid), backupnum: Number(r.backupnum), digest: String(r.digest) })),
      people: people.map(heldPeople.read).map(({ enrollid, enabled }) => ({ enrollid, enabled })),
    };
  }

  async holdersOf(enrollid: number) {
    const rows = await this.#db.write(
      sql`SELECT sn FROM terminal_people WHERE enrollid = ${enrollid} UNION SELECT sn FROM terminal_credentials WHERE enrollid = ${enrollid}`,
    );
    return rows.map((r) => String(r.sn)).sort();
  }

  async heldCredentialsOf(enrollid: number) {
    const rows = await this.#db.write(sql`SELECT sn, backupnum FROM terminal_credentials WHERE enrollid = ${enrollid} AND backupnum >= 0 ORDER BY sn, backupnum`);
    return rows.map((r) => ({ sn: String(r.sn), backupnum: Number(r.backupnum) }));
  }

  async hold(sn: string, c: { enrollid: number; backupnum: number; digest: string }, at: number) {
    await this.#db.batch([
      sql`INSERT INTO terminal_credentials ${held.insert({ sn, ...c, updatedAt: at })}
        ON CONFLICT (sn, enrollid, backupnum) DO UPDATE SET ${held.set({ digest: c.digest, updatedAt: at })}`,
      sql`INSERT INTO terminal_people ${heldPeople.insert({ sn, enrollid: c.enrollid, enabled: true, updatedAt: at })} ON CONFLICT DO NOTHING`,
    ]);
  }

  async release(sn: string, enrollid: number, backupnums: number[] | null) {
    const which = sql`sn = ${sn} AND enrollid = ${enrollid}`;
    if (backupnums === null) {
      await this.#db.batch([sql`DELETE FROM terminal_credentials WHERE ${which}`, sql`DELETE FROM terminal_people WHERE ${which}`]);
    } else if (backupnums.length > 0) {
      await this.#db.batch([sql`DELETE FROM terminal_credentials WHERE ${which} AND ${oneOf("backupnum", backupnums)}`]);
    }
  }

  async setHeldEnabled(sn: string, enrollid: number, enabled: boolean, at: number) {
    await this.#db.write(sql`
      INSERT INTO terminal_people ${heldPeople.insert({ sn, enrollid, enabled, updatedAt: at })}
      ON CONFLICT (sn, enrollid) DO UPDATE SET ${heldPeople.set({ enabled, updatedAt: at })} RETURNING sn`);
  }

  async releaseAll(sn: string) {
    await this.#db.batch([sql`DELETE FROM terminal_credentials WHERE sn = ${sn}`, sql`DELETE FROM terminal_people WHERE sn = ${sn}`]);
  }

  async refuseNames(sn: string, at: number) {
    // The firmware is the row's own, so the refusal is tied to what the terminal ran when it answered.
    await this.#db.batch([
      sql`INSERT INTO terminal_name_refusals (sn, firmware, refused_at) SELECT sn, COALESCE(firmware, ''), ${at} FROM terminals WHERE sn = ${sn}
        ON CONFLICT (sn) DO UPDATE SET firmware = excluded.firmware, refused_at = excluded.refused_at`,
    ]);
  }

  async namesRefused() {
    // Registered with other firmware since (an upgrade may take names): asked again.
    const rows = await this.#db.write(sql`
      SELECT r.sn FROM terminal_name_refusals r JOIN terminals t ON t.sn = r.sn
      WHERE r.firmware = COALESCE(t.firmware, '') ORDER BY r.sn`);
    return rows.map((r) => String(r.sn));
  }

  async forgetNameRefusal(sn: string) {
    return (await this.#db.write(sql`DELETE FROM terminal_name_refusals WHERE sn = ${sn} RETURNING sn`)).length > 0;
  }

  async #withMembers(read: (query: SQL) => Promise<Row[]>, where: SQL = sql``): Promise<GroupWithMembers[]> {
    const found = (await read(sql`SELECT ${groups.columns} FROM terminal_groups ${where} ORDER BY name`)).map(groups.read);
    if (found.length === 0) return [];
    const rows = await read(sql`SELECT ${members.columns} FROM terminal_group_members WHERE ${oneOf("group_id", found.map((g) => g.id))} ORDER BY sn`);
    const all = rows.map(members.read);
    return found.map((g) => ({ ...g, members: all.filter((m) => m.groupId === g.id).map((m) => m.sn) }));
  }

  async listGroups() {
    return this.#withMembers((q) => this.#db.read(q));
  }

  async getGroup(id: number) {
    return (await this.#withMembers((q) => this.#db.write(q), sql`WHERE id = ${id}`))[0] ?? null;
  }

  async createGroup(name: string, sync: boolean, at: number) {
    const [row] = await this.#db.write(
      sql`INSERT INTO terminal_groups ${groups.insert({ name, sync, createdAt: at, updatedAt: at })} ON CONFLICT DO NOTHING RETURNING ${groups.columns}`,
    );
    return row ? { ...groups.read(row), members: [] } : null;
  }

  async updateGroup(id: number, changes: { name?: string; sync?: boolean }, at: number) {
    if (changes.name !== undefined) {
      const same = await this.#db.write(sql`SELECT id FROM terminal_groups WHERE name = ${changes.name}`);
      if (same.some((g) => Number(g.id) !== id)) throw storeError("exists", "a group with this name exists");
    }
    const [row] = await this.#db.write(sql`UPDATE terminal_groups SET ${groups.set({ ...changes, updatedAt: at })} WHERE id = ${id} RETURNING id`);
    return row ? this.getGroup(id) : null;
  }

  async removeGroup(id: number) {
    const removed = await this.#db.transaction([
      sql`DELETE FROM terminal_group_members WHERE group_id = ${id} RETURNING group_id`,
      sql`DELETE FROM terminal_groups WHERE id = ${id} RETURNING id`,
    ]);
    return (removed.at(-1) ?? []).length > 0;
  }

  async addMember(id: number, sn: string, at: number) {
    const added = await this.#db.write(sql`INSERT INTO terminal_group_members ${members.insert({ groupId: id, sn, addedAt: at })} ON CONFLICT DO NOTHING RETURNING sn`);
    return added.length > 0;
  }

  async removeMember(id: number, sn: string) {
    return (await this.#db.write(sql`DELETE FROM terminal_group_members WHERE group_id = ${id} AND sn = ${sn} RETURNING sn`)).length > 0;
  }

  async groupsOf(sn: string) {
    const rows = await this.#db.write(sql`
      SELECT ${groups.columns} FROM terminal_groups JOIN terminal_group_members ON group_id = id WHERE sn = ${sn} ORDER BY name`);
    return rows.map(groups.read);
  }

  async heldChanges(filter: { cursor?: string; limit: number }) {
    const after = filter.cursor === undefined ? sql`` : sql`WHERE id > ${decodeCursor(filter.cursor, ["number"])[0]}`;
    const rows = await this.#db.read(sql`SELECT ${heldRows.columns} FROM held_changes ${after} ORDER BY id LIMIT ${filter.limit + 1}`);
    return pageOf(rows.map(heldRows.read), filter.limit, (r) => encodeCursor([r.id]));
  }

  async heldChange(id: number) {
    const [row] = await this.#db.read(sql`SELECT ${heldRows.columns} FROM held_changes WHERE id = ${id}`);
    return row ? heldRows.read(row) : null;
  }

  async countHeldChanges() {
    const [row] = await this.#db.read(sql`SELECT count(*) AS n FROM held_changes`);
    return Number(row?.n ?? 0);
  }

  approveHeldChange(id: number, at: number) {
    return this.#tx.run(() => decideHeldChange(id, at));
  }

  rejectHeldChange(id: number) {
    return this.#tx.run(() => decideHeldChange(id, null));
  }
}
