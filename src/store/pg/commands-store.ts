import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { type CommandChange, type CommandFilter, type CommandStore, type JobChange, type NewCommand, type NewJob, SERVER_ACTOR } from "../commands-contract.ts";
import { type CommandRow, type CommandStatus, type JobStatus, URGENT_QUEUE_SQL } from "../commands-schema.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import type { PgDb } from "./connect.ts";
import { commandEvents, commands, jobs, terminalClock } from "./schema.ts";

const FINAL: ReadonlySet<CommandStatus> = new Set(["succeeded", "failed", "timed_out", "expired", "cancelled"]);

/**
 * `Store.commands` over PostgreSQL. `transition` is a conditional UPDATE: when two instances
 * race for one command (a terminal reconnecting elsewhere), exactly one moves it.
 */
export class PgCommandStore implements CommandStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async enqueue(list: NewCommand[]) {
    if (list.length === 0) return [];
    return this.#db.transaction(async (tx) => {
      const out: CommandRow[] = [];
      for (const c of list) {
        const [row] = await tx
          .insert(commands)
          .values({
            sn: c.sn, command: c.command, params: JSON.stringify(c.params), status: "queued", attempts: 0,
            maxAttempts: c.maxAttempts, deadline: c.deadline, actor: c.actor, jobId: c.jobId, createdAt: c.at, updatedAt: c.at,
          })
          .returning();
        if (!row) throw storeError("insert_failed", "command was not stored");
        await tx.insert(commandEvents).values({ commandId: row.id, at: c.at, status: "queued", detail: `by ${c.actor}` });
        out.push(row);
      }
      return out;
    });
  }

  async get(id: number) {
    const [row] = await this.#db.select().from(commands).where(eq(commands.id, id));
    return row ?? null;
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
    const rows = await this.#db.select().from(commands).where(and(...where)).orderBy(desc(commands.id)).limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async nextQueued(sn: string) {
    // Two index walks (urgent first) rather than one ORDER BY over the terminal's whole queue.
    const oldest = async (urgent: boolean) =>
      (
        await this.#db
          .select()
          .from(commands)
          .where(and(eq(commands.sn, sn), eq(commands.status, "queued"), ...(urgent ? [sql.raw(URGENT_QUEUE_SQL)] : [])))
          .orderBy(asc(commands.id))
          .limit(1)
      )[0];
    return (await oldest(true)) ?? (await oldest(false)) ?? null;
  }

  async transition(id: number, from: CommandStatus[], change: CommandChange): Promise<CommandRow | null> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx
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
        .returning();
      if (!row) return null;
      await tx.insert(commandEvents).values({ commandId: id, at: change.at, status: change.status, detail: change.detail ?? null });
      return row;
    });
  }

  async history(id: number) {
    return this.#db.select().from(commandEvents).where(eq(commandEvents.commandId, id)).orderBy(asc(commandEvents.id));
  }

  async expireDue(now: number) {
    return this.#db.transaction(async (tx) => {
      const rows = await tx
        .update(commands)
        .set({ status: "expired", updatedAt: now, finishedAt: now, reason: "deadline passed before it could be sent" })
        .where(and(eq(commands.status, "queued"), isNotNull(commands.deadline), lt(commands.deadline, now)))
        .returning();
      if (rows.length > 0) {
        await tx.insert(commandEvents).values(rows.map((row) => ({ commandId: row.id, at: now, status: "expired", detail: "deadline passed" })));
      }
      return rows.sort((a, b) => a.id - b.id);
    });
  }

  async countByStatus(jobId: number) {
    const rows = await this.#db
      .select({ status: commands.status, n: count() })
      .from(commands)
      .where(eq(commands.jobId, jobId))
      .groupBy(commands.status);
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<CommandStatus, number>>;
  }

  async createJob(job: NewJob) {
    const [row] = await this.#db
      .insert(jobs)
      .values({
        kind: job.kind, target: job.target, params: JSON.stringify(job.params), status: "running", actor: job.actor,
        createdAt: job.at, updatedAt: job.at,
      })
      .returning();
    if (!row) throw storeError("insert_failed", "job was not stored");
    return row;
  }

  async getJob(id: number) {
    const [row] = await this.#db.select().from(jobs).where(eq(jobs.id, id));
    return row ?? null;
  }

  async listJobs(filter: { status?: JobStatus; cursor?: string; limit: number }) {
    const where: SQL[] = [];
    if (filter.status !== undefined) where.push(eq(jobs.status, filter.status));
    if (filter.cursor !== undefined) where.push(lt(jobs.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = await this.#db.select().from(jobs).where(and(...where)).orderBy(desc(jobs.id)).limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async updateJob(id: number, change: JobChange) {
    const [row] = await this.#db
      .update(jobs)
      .set({
        updatedAt: change.at,
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...(change.status !== undefined && change.status !== "running" ? { finishedAt: change.at } : {}),
        ...(change.detail !== undefined ? { detail: JSON.stringify(change.detail) } : {}),
      })
      .where(eq(jobs.id, id))
      .returning();
    return row ?? null;
  }

  async clockOf(sn: string) {
    const [row] = await this.#db.select().from(terminalClock).where(eq(terminalClock.sn, sn));
    return row ?? null;
  }

  async clocks() {
    return this.#db.select().from(terminalClock).orderBy(terminalClock.sn);
  }
}
