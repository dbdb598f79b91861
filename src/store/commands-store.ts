/**
 * `Store.commands` for both engines, in SQL that SQLite and PostgreSQL read alike. `transition` is
 * a conditional UPDATE: when two instances race for one command (a terminal reconnecting
 * elsewhere), exactly one moves it.
 */
import { type SQL, sql } from "drizzle-orm";
import { type CommandChange, type CommandFilter, type CommandStore, type JobChange, type NewCommand, type NewJob, SERVER_ACTOR } from "./commands-contract.ts";
import { type CommandRow, type CommandStatus, commandEvents, commands, type JobStatus, jobs, terminalClock, URGENT_QUEUE_SQL } from "./commands-schema.ts";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { storeError } from "./errors.ts";
import { tableRows } from "./sql-rows.ts";
import type { SqlRunner } from "./sql-runner.ts";
import type { SqlTransaction, Steps } from "./sql-transaction.ts";
import { num, oneOf } from "./sql-values.ts";

/** How each engine runs the commands' statements. */
export interface CommandsSql {
  db: SqlRunner;
  /** Reads that must see the dispatcher's own writes at once (SQLite: on the write connection). */
  latest: SqlRunner;
  /** A transaction of its own. */
  tx: SqlTransaction;
  /** A command's step: every terminal's slot steps its command through here (SQLite: sharing the turn's commit, tick-commit.ts). */
  step: SqlTransaction;
}

const FINAL: ReadonlySet<CommandStatus> = new Set(["succeeded", "failed", "timed_out", "expired", "cancelled"]);

/** SQLite binds at most 32,766 variables: expired commands' history is written in chunks. */
const EVENT_CHUNK = 500;

const commandRows = tableRows(commands);
const eventRows = tableRows(commandEvents);
const jobRows = tableRows(jobs);
const clockRows = tableRows(terminalClock);

const where = (conditions: SQL[]) => (conditions.length === 0 ? sql`` : sql` WHERE ${sql.join(conditions, sql` AND `)}`);

const eventSql = (commandId: number, at: number, status: CommandStatus, detail: string | null) =>
  sql`INSERT INTO command_events (command_id, at, status, detail) VALUES (${commandId}, ${at}, ${status}, ${detail})`;

export class SqlCommandStore implements CommandStore {
  #sql: CommandsSql;

  constructor(engine: CommandsSql) {
    this.#sql = engine;
  }

  async enqueue(list: NewCommand[]) {
    if (list.length === 0) return [];
    return this.#sql.tx.run(function* (): Steps<CommandRow[]> {
      const out: CommandRow[] = [];
      for (const c of list) {
        const [row] = yield {
          rows: sql`INSERT INTO commands (sn, command, params, status, attempts, max_attempts, deadline, actor, job_id, created_at, updated_at)
            VALUES (${c.sn}, ${c.command}, ${JSON.stringify(c.params)}, 'queued', 0, ${c.maxAttempts}, ${c.deadline}, ${c.actor}, ${c.jobId}, ${c.at}, ${c.at})
            RETURNING ${commandRows.columns}`,
        };
        if (!row) throw storeError("insert_failed", "command was not stored");
        const command = commandRows.read(row);
        yield { run: eventSql(command.id, c.at, "queued", `by ${c.actor}`) };
        out.push(command);
      }
      return out;
    });
  }

  async get(id: number) {
    const [row] = await this.#sql.db.read(sql`SELECT ${commandRows.columns} FROM commands WHERE id = ${id}`);
    return row ? commandRows.read(row) : null;
  }

  async list(filter: CommandFilter) {
    const conditions: SQL[] = [];
    if (filter.sn !== undefined) conditions.push(sql`sn = ${filter.sn}`);
    if (filter.jobId !== undefined) conditions.push(sql`job_id = ${filter.jobId}`);
    if (filter.command !== undefined) conditions.push(sql`command = ${filter.command}`);
    if (filter.status !== undefined) conditions.push(oneOf("status", filter.status));
    if (filter.origin === "admin") conditions.push(sql`(job_id IS NULL AND actor <> ${SERVER_ACTOR})`);
    if (filter.origin === "server") conditions.push(sql`(job_id IS NOT NULL OR actor = ${SERVER_ACTOR})`);
    if (filter.cursor !== undefined) conditions.push(sql`id < ${decodeCursor(filter.cursor, ["number"])[0]}`);
    const rows = await this.#sql.db.read(sql`SELECT ${commandRows.columns} FROM commands${where(conditions)} ORDER BY id DESC LIMIT ${filter.limit + 1}`);
    return pageOf(rows.map(commandRows.read), filter.limit, (r) => encodeCursor([r.id]));
  }

  async nextQueued(sn: string) {
    // Two index walks (urgent first) rather than one ORDER BY over the terminal's whole queue.
    const oldest = async (urgent: boolean) => {
      const [row] = await this.#sql.latest.read(
        sql`SELECT ${commandRows.columns} FROM commands WHERE sn = ${sn} AND status = 'queued'${urgent ? sql` AND ${sql.raw(URGENT_QUEUE_SQL)}` : sql``} ORDER BY id LIMIT 1`,
      );
      return row ? commandRows.read(row) : undefined;
    };
    return (await oldest(true)) ?? (await oldest(false)) ?? null;
  }

  async transition(id: number, from: CommandStatus[], change: CommandChange): Promise<CommandRow | null> {
    const set = [sql`status = ${change.status}`, sql`updated_at = ${change.at}`];
    if (change.attempts !== undefined) set.push(sql`attempts = ${change.attempts}`);
    if (change.answer !== undefined) set.push(sql`answer = ${JSON.stringify(change.answer)}`);
    if (change.reason !== undefined) set.push(sql`reason = ${change.reason}`);
    if (change.status === "sent") set.push(sql`sent_at = ${change.at}`);
    if (FINAL.has(change.status)) set.push(sql`finished_at = ${change.at}`);
    return this.#sql.step.run(function* (): Steps<CommandRow | null> {
      const [row] = yield { rows: sql`UPDATE commands SET ${sql.join(set, sql`, `)} WHERE id = ${id} AND ${oneOf("status", from)} RETURNING ${commandRows.columns}` };
      if (!row) return null;
      yield { run: eventSql(id, change.at, change.status, change.detail ?? null) };
      return commandRows.read(row);
    });
  }

  async history(id: number) {
    return (await this.#sql.db.read(sql`SELECT ${eventRows.columns} FROM command_events WHERE command_id = ${id} ORDER BY id`)).map(eventRows.read);
  }

  async expireDue(now: number) {
    return this.#sql.tx.run(function* (): Steps<CommandRow[]> {
      const rows = yield {
        rows: sql`UPDATE commands SET status = 'expired', updated_at = ${now}, finished_at = ${now}, reason = 'deadline passed before it could be sent'
          WHERE status = 'queued' AND deadline IS NOT NULL AND deadline < ${now} RETURNING ${commandRows.columns}`,
      };
      const expired = rows.map(commandRows.read).sort((a, b) => a.id - b.id);
      for (let i = 0; i < expired.length; i += EVENT_CHUNK) {
        const values = expired.slice(i, i + EVENT_CHUNK).map((c) => sql`(${c.id}, ${now}, 'expired', 'deadline passed')`);
        yield { run: sql`INSERT INTO command_events (command_id, at, status, detail) VALUES ${sql.join(values, sql`, `)}` };
      }
      return expired;
    });
  }

  async countByStatus(jobId: number) {
    // A job is finished only when its last command's transition is seen.
    const rows = await this.#sql.latest.read(sql`SELECT status, count(*) AS n FROM commands WHERE job_id = ${jobId} GROUP BY status`);
    return Object.fromEntries(rows.map((r) => [String(r.status), num(r.n)])) as Partial<Record<CommandStatus, number>>;
  }

  async createJob(job: NewJob) {
    const [row] = await this.#sql.db.write(sql`
      INSERT INTO jobs (kind, target, params, status, actor, created_at, updated_at)
      VALUES (${job.kind}, ${job.target}, ${JSON.stringify(job.params)}, 'running', ${job.actor}, ${job.at}, ${job.at})
      RETURNING ${jobRows.columns}`);
    if (!row) throw storeError("insert_failed", "job was not stored");
    return jobRows.read(row);
  }

  async getJob(id: number) {
    const [row] = await this.#sql.latest.read(sql`SELECT ${jobRows.columns} FROM jobs WHERE id = ${id}`);
    return row ? jobRows.read(row) : null;
  }

  async listJobs(filter: { status?: JobStatus; cursor?: string; limit: number }) {
    const conditions: SQL[] = [];
    if (filter.status !== undefined) conditions.push(sql`status = ${filter.status}`);
    if (filter.cursor !== undefined) conditions.push(sql`id < ${decodeCursor(filter.cursor, ["number"])[0]}`);
    const rows = await this.#sql.db.read(sql`SELECT ${jobRows.columns} FROM jobs${where(conditions)} ORDER BY id DESC LIMIT ${filter.limit + 1}`);
    return pageOf(rows.map(jobRows.read), filter.limit, (r) => encodeCursor([r.id]));
  }

  async updateJob(id: number, change: JobChange) {
    const set = [sql`updated_at = ${change.at}`];
    if (change.status !== undefined) set.push(sql`status = ${change.status}`);
    if (change.status !== undefined && change.status !== "running") set.push(sql`finished_at = ${change.at}`);
    if (change.detail !== undefined) set.push(sql`detail = ${JSON.stringify(change.detail)}`);
    const [row] = await this.#sql.db.write(sql`UPDATE jobs SET ${sql.join(set, sql`, `)} WHERE id = ${id} RETURNING ${jobRows.columns}`);
    return row ? jobRows.read(row) : null;
  }

  async clockOf(sn: string) {
    const [row] = await this.#sql.db.read(sql`SELECT ${clockRows.columns} FROM terminal_clock WHERE sn = ${sn}`);
    return row ? clockRows.read(row) : null;
  }

  async clocks(sns?: readonly string[]) {
    return (await this.#sql.db.read(sql`SELECT ${clockRows.columns} FROM terminal_clock${where(sns ? [oneOf("sn", sns)] : [])} ORDER BY sn`)).map(clockRows.read);
  }

  async clocksOff(seconds: number) {
    return (await this.#sql.db.read(sql`SELECT ${clockRows.columns} FROM terminal_clock WHERE abs(drift_seconds) > ${seconds} ORDER BY sn`)).map(clockRows.read);
  }
}
