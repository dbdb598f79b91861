/**
 * Terminals, people and (when enabled) biometric templates are state, not a log: they change in
 * place. Each snapshot compares every row with what this connection last wrote and sends only the
 * changed ones, then removes rows that left SQLite. A new connection starts with an empty memory,
 * so the first snapshot rewrites everything (a restored database gets repaired).
 */
import type { SQL } from "bun";
import type { OutboundStore } from "../store/export-contract.ts";
import { quoteIdent } from "./pg-schema.ts";
import { deleteMissing, deleteMissingCredentials, upsertCredentials, upsertPeople, upsertTerminals } from "./pg-writes.ts";

/** Templates are kilobytes each: fetch and send them a few hundred at a time. */
const CREDENTIAL_CHUNK = 500;
const ROW_CHUNK = 5_000;

export interface MirrorCounts {
  terminals: number;
  people: number;
  credentials: number;
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
  #templatesCleared = false;
  counts: MirrorCounts = { terminals: 0, people: 0, credentials: 0 };

  constructor(o: { sql: SQL; store: OutboundStore; schema: string; templates: boolean }) {
    this.#sql = o.sql;
    this.#store = o.store;
    this.#schema = o.schema;
    this.#templates = o.templates;
  }

  /** Returns how many rows of each kind were written. */
  async sync(): Promise<MirrorCounts> {
    const written: MirrorCounts = { terminals: 0, people: 0, credentials: 0 };
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

    this.counts = { terminals: terminals.length, people: people.length, credentials: this.#templates ? this.#credentials.size : 0 };
    return written;
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
