import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { type CommandChange, type CommandFilter, type CommandStore, type JobChange, type NewCommand, type NewJob, SERVER_ACTOR } from "../commands-contract.ts";
import { type CommandRow, type CommandStatus, commandEvents, commands, type JobStatus, jobs, terminalClock, URGENT_QUEUE_SQL } from "../commands-schema.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import type { SqliteDatabase } from "./driver.ts";
import { immediate } from "./transaction.ts";
import type { TickCommit } from "./tick-commit.ts";

const FINAL: ReadonlySet<CommandStatus> = new Set(["succeeded", "failed", "timed_out", "expired", "cancelled"]);

/** `Store.commands` over SQLite: writes on the store's write connection, reads on its read one. */
export class SqliteCommandStore implements CommandStore {
  #w: SqliteDatabase;
  #r: SqliteDatabase;
  #tick: TickCommit;

  constructor(w: SqliteDatabase, r: SqliteDatabase, tick: TickCommit) {
    this.#w = w;
    this.#r = r;
    this.#tick = tick;
  }

  #tx<T>(fn: () => T): T {
    return immediate(this.#w, fn);
  }

  async enqueue(list: NewCommand[]) {
    if (list.length === 0) return [];
    return this.#tx(() =>
      list.map((c) => {
        const row = this.#w
          .insert(commands)
          .values({
            sn: c.sn, command: c.command, params: JSON.stringify(c.params), status: "queued", attempts: 0,
            maxAttempts: c.maxAttempts, deadline: c.deadline, actor: c.actor, jobId: c.jobId, createdAt: c.at, updatedAt: c.at,
          })
          .returning()
          .all()[0];
        if (!row) throw storeError("insert_failed", "command was not stored");
        this.#w.insert(commandEvents).values({ commandId: row.id, at: c.at, status: "queued", detail: `by ${c.actor}` }).run();
        return row;
      }),
    );
  }

  async get(id: number) {
    return this.#r.select().from(commands).where(eq(commands.id, id)).all()[0] ?? null;
  }

  async list(filter: CommandFilter) {
    const where: SQL[] = [];
    if (filter.sn !== undefined) where.push(eq(commands.sn, filter.sn));
    if (filter.jobId !== undefined) where.push(eq(commands.jobId, filter.jobId));
    if (filter.command !== undefined) where.push(eq(commands.command, filter.command));
    if (filter.status !== undefined) where.push(inArray(commands.status, filter.status));
    if (filter.origin === "admin") where.push(and(isNull(commands.jobId), ne(commands.actor, SERVER_ACTOR)) as SQL);
    if (filter.origin === "server") where.push(or(isNotNull(commands.jobId), eq(commands.actor, SERVER_ACTOR)) as SQL);
    if (filter.cursor !== undefined) where.push(lt(commands.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = this.#r.select().from(commands).where(and(...where)).orderBy(desc(commands.id)).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async nextQueued(sn: string) {
    // Read on the write connection: the dispatcher must see its own transitions at once. Two
    // index walks (urgent first) rather than one ORDER BY over the terminal's whole queue.
    const oldest = (urgent: boolean) =>
      this.#w
        .select()
        .from(commands)
        .where(and(eq(commands.sn, sn), eq(commands.status, "queued"), ...(urgent ? [sql.raw(URGENT_QUEUE_SQL)] : [])))
        .orderBy(asc(commands.id))
        .limit(1)
        .all()[0];
    return oldest(true) ?? oldest(false) ?? null;
  }

  async transition(id: number, from: CommandStatus[], change: CommandChange): Promise<CommandRow | null> {
    // Every terminal's slot steps its command through here: their steps share a commit.
    return this.#tick.run(() => {
      const row = this.#w
        .update(commands)
        .set({
          status: change.status,
          updatedAt: change.at,
          ...(change.attempts !== undefined ? { attempts: change.attempts } : {}),
          ...(change.answer !== undefined ? { answer: JSON.stringify(change.answer) } : {}),
          ...(change.reason !== undefined ? { reason: change.reason } : {}),
          ...(change.status === "sent" ? { sentAt: change.at } : {}),
          ...(FINAL.has(change.status) ? { finishedAt: change.at } : {}),
        })
        .where(and(eq(commands.id, id), inArray(commands.status, from)))
        .returning()
        .all()[0];
      if (!row) return null;
      this.#w.insert(commandEvents).values({ commandId: id, at: change.at, status: change.status, detail: change.detail ?? null }).run();
      return row;
    });
  }

  async history(id: number) {
    return this.#r.select().from(commandEvents).where(eq(commandEvents.commandId, id)).orderBy(asc(commandEvents.id)).all();
  }

  async expireDue(now: number) {
    return this.#tx(() => {
      const rows = this.#w
        .update(commands)
        .set({ status: "expired", updatedAt: now, finishedAt: now, reason: "deadline passed before it could be sent" })
        .where(and(eq(commands.status, "queued"), isNotNull(commands.deadline), lt(commands.deadline, now)))
        .returning()
        .all();
      for (const row of rows) {
        this.#w.insert(commandEvents).values({ commandId: row.id, at: now, status: "expired", detail: "deadline passed" }).run();
      }
      return rows;
    });
  }

  async countByStatus(jobId: number) {
    // The write connection: a job is finished only when its last command's transition is seen.
    const rows = this.#w
      .select({ status: commands.status, n: count() })
      .from(commands)
      .where(eq(commands.jobId, jobId))
      .groupBy(commands.status)
      .all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<CommandStatus, number>>;
  }

  async createJob(job: NewJob) {
    const row = this.#w
      .insert(jobs)
      .values({
        kind: job.kind, target: job.target, params: JSON.stringify(job.params), status: "running", actor: job.actor,
        createdAt: job.at, updatedAt: job.at,
      })
      .returning()
      .all()[0];
    if (!row) throw storeError("insert_failed", "job was not stored");
    return row;
  }

  async getJob(id: number) {
    return this.#w.select().from(jobs).where(eq(jobs.id, id)).all()[0] ?? null;
  }

  async listJobs(filter: { status?: JobStatus; cursor?: string; limit: number }) {
    const where: SQL[] = [];
    if (filter.status !== undefined) where.push(eq(jobs.status, filter.status));
    if (filter.cursor !== undefined) where.push(lt(jobs.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = this.#r.select().from(jobs).where(and(...where)).orderBy(desc(jobs.id)).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async updateJob(id: number, change: JobChange) {
    return (
      this.#w
        .update(jobs)
        .set({
          updatedAt: change.at,
          ...(change.status !== undefined ? { status: change.status } : {}),
          ...(change.status !== undefined && change.status !== "running" ? { finishedAt: change.at } : {}),
          ...(change.detail !== undefined ? { detail: JSON.stringify(change.detail) } : {}),
        })
        .where(eq(jobs.id, id))
        .returning()
        .all()[0] ?? null
    );
  }

  async clockOf(sn: string) {
    return this.#r.select().from(terminalClock).where(eq(terminalClock.sn, sn)).all()[0] ?? null;
  }

  async clocks() {
    return this.#r.select().from(terminalClock).orderBy(terminalClock.sn).all();
  }
}
