/**
 * Terminals, people and (when enabled) biometric templates are state, not a log: they change in
 * place. Each snapshot compares every row with what this connection last wrote and sends only the
 * changed ones, then removes rows that left SQLite. A new connection starts with an empty memory,
 * so the first snapshot rewrites everything (a restored database gets repaired). Departments are
 * mirrored the same way; daily results (issue 14), too many to compare, by when they were last
 * recomputed: each snapshot sends those stored since the previous one began (a minute's overlap
 * covers a recomputation that began before and stored after; sending one twice changes nothing),
 * then deletes those the store removed since then and has not stored again (`daysRemoved`: a day
 * no longer due leaves no row to compare), both a page at a time.
 */
import type { SQL } from "bun";
import type { OutboundStore } from "../store/export-contract.ts";
import { quoteIdent } from "./pg-schema.ts";
import { deleteMissing, deleteMissingCredentials, deleteTimesheetDays, upsertCredentials, upsertDepartments, upsertPeople, upsertTerminals, upsertTimesheetDays } from "./pg-writes.ts";

/** Templates are kilobytes each: fetch and send them a few hundred at a time. */
const CREDENTIAL_CHUNK = 500;
const ROW_CHUNK = 5_000;
/** A recomputation stores its results a little after it began (`computed_at` is its start). */
const DAYS_OVERLAP_MS = 60_000;

export interface MirrorCounts {
  terminals: number;
  people: number;
  credentials: number;
  departments: number;
  timesheetDays: number;
}

function changed<T>(rows: readonly T[], keyOf: (row: T) => string, seen: Map<string, string>): T[] {
  return rows.filter((row) => seen.get(keyOf(row)) !== JSON.stringify(row));
}

function remember<T>(rows: readonly T[], keyOf: (row: T) => string, seen: Map<string, string>) {
  seen.clear();
  for (const row of rows) seen.set(keyOf(row), JSON.stringify(row));
}

async function inChunks<T>(rows: readonly T[], size: number, write: (chunk: T[]) => Promise<void>) {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

export class MirrorSync {
  #sql: SQL;
  #store: OutboundStore;
  #schema: string;
  #templates: boolean;
  #terminals = new Map<string, string>();
  #people = new Map<string, string>();
  #credentials = new Map<string, string>();
  #departments = new Map<string, string>();
  /** Daily results stored since this (UTC ms) are sent at the next snapshot; 0: all of them. */
  #daysSince = 0;
  #templatesCleared = false;
  #now: () => number;
  counts: MirrorCounts = { terminals: 0, people: 0, credentials: 0, departments: 0, timesheetDays: 0 };

  constructor(o: { sql: SQL; store: OutboundStore; schema: string; templates: boolean; now: () => number }) {
    this.#sql = o.sql;
    this.#now = o.now;
    this.#store = o.store;
    this.#schema = o.schema;
    this.#templates = o.templates;
  }

  /** Returns how many rows of each kind were written. */
  async sync(): Promise<MirrorCounts> {
    const written: MirrorCounts = { terminals: 0, people: 0, credentials: 0, departments: 0, timesheetDays: 0 };
    const schema = this.#schema;

    const terminals = await this.#store.listTerminals();
    const terminalKey = (t: { sn: string }) => t.sn;
    const newTerminals = changed(terminals, terminalKey, this.#terminals);
    await this.#sql.begin(async (tx) => {
      await inChunks(newTerminals, ROW_CHUNK, (chunk) => upsertTerminals(tx, schema, chunk));
      await deleteMissing(tx, schema, "terminals", terminals.map(terminalKey));
    });
    remember(terminals, terminalKey, this.#terminals);
    written.terminals = newTerminals.length;

    const people = await this.#store.exports.allPeople();
    const personKey = (p: { enrollid: number }) => String(p.enrollid);
    const newPeople = changed(people, personKey, this.#people);
    await this.#sql.begin(async (tx) => {
      await inChunks(newPeople, ROW_CHUNK, (chunk) => upsertPeople(tx, schema, chunk));
      await deleteMissing(tx, schema, "people", people.map((p) => p.enrollid));
    });
    remember(people, personKey, this.#people);
    written.people = newPeople.length;

    if (this.#templates) {
      written.credentials = await this.#syncCredentials();
    } else if (!this.#templatesCleared) {
      // Templates may have been exported before the operator turned that off: they must not stay behind.
      await this.#sql.unsafe(`DELETE FROM ${quoteIdent(schema)}.credentials`);
      this.#templatesCleared = true;
    }

    const departments = await this.#store.timesheets.departments();
    const departmentKey = (d: { id: number }) => String(d.id);
    const newDepartments = changed(departments, departmentKey, this.#departments);
    await this.#sql.begin(async (tx) => {
      await upsertDepartments(tx, schema, newDepartments);
      await deleteMissing(tx, schema, "departments", departments.map((d) => d.id));
    });
    remember(departments, departmentKey, this.#departments);
    written.departments = newDepartments.length;
    written.timesheetDays = await this.#syncDays();

    this.counts = {
      terminals: terminals.length,
      people: people.length,
      credentials: this.#templates ? this.#credentials.size : 0,
      departments: departments.length,
      timesheetDays: this.counts.timesheetDays + written.timesheetDays,
    };
    return written;
  }

  async #syncDays(): Promise<number> {
    const began = this.#now();
    let sent = 0;
    let cursor: string | undefined;
    do {
      const page = await this.#store.timesheets.daysComputed({ since: this.#daysSince, limit: ROW_CHUNK, ...(cursor ? { cursor } : {}) });
      await this.#sql.begin((tx) => upsertTimesheetDays(tx, this.#schema, page.items));
      sent += page.items.length;
      cursor = page.next ?? undefined;
    } while (cursor);
    // After the sends: a day stored again meanwhile is either left out here or sent again next time (its time is in the overlap).
    do {
      const page = await this.#store.timesheets.daysRemoved({ since: this.#daysSince, limit: ROW_CHUNK, ...(cursor ? { cursor } : {}) });
      await deleteTimesheetDays(this.#sql, this.#schema, page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    this.#daysSince = Math.max(0, began - DAYS_OVERLAP_MS);
    return sent;
  }

  async #syncCredentials(): Promise<number> {
    const keys = await this.#store.exports.credentialKeys();
    const keyOf = (k: { enrollid: number; backupnum: number }) => `${k.enrollid}/${k.backupnum}`;
    const stale = changed(keys, keyOf, this.#credentials);
    for (let i = 0; i < stale.length; i += CREDENTIAL_CHUNK) {
      const rows = await this.#store.exports.credentialsFor(stale.slice(i, i + CREDENTIAL_CHUNK));
      await this.#sql.begin((tx) => upsertCredentials(tx, this.#schema, rows));
    }
    await deleteMissingCredentials(this.#sql, this.#schema, keys);
    remember(keys, keyOf, this.#credentials);
    return stale.length;
  }
}
