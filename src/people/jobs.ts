/**
 * Jobs: a people or log action that fans out into queued commands (pull, push, re-sync, fetch
 * logs). A job's progress is read from its commands' statuses, so it survives restarts with
 * them; it finishes when none of its commands is open any more.
 */
import type { Logger } from "pino";
import { z } from "zod";
import type { CommandDispatcher, CommandRequest } from "../commands/dispatcher.ts";
import type { CommandRow, CommandStatus, JobRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";

export type JobKind = "pull" | "push" | "resync" | "sync" | "fetch-logs" | "access";

/** Runs when one of a job's commands finishes, before the job is checked for completion. */
export type JobStep = (job: JobRow, command: CommandRow) => Promise<void>;

export interface JobsOptions {
  store: Store;
  dispatcher: CommandDispatcher;
  log: Logger;
  now: () => number;
}

const FAILED: CommandStatus[] = ["failed", "timed_out", "expired", "cancelled"];
const MAX_FAILURES_SHOWN = 50;

export class Jobs {
  #o: JobsOptions;
  #steps = new Map<string, JobStep>();

  constructor(options: JobsOptions) {
    this.#o = options;
    options.dispatcher.onFinished(async (command) => {
      if (command.jobId === null) return;
      const job = await options.store.commands.getJob(command.jobId);
      if (!job || job.status !== "running") return;
      await this.#steps.get(job.kind)?.(job, command);
      await this.settle(job.id);
    });
  }

  step(kind: JobKind, step: JobStep) {
    this.#steps.set(kind, step);
  }

  /** Jobs left running by a previous process whose commands are all done finish now. */
  async start() {
    for (;;) {
      const page = await this.#o.store.commands.listJobs({ status: "running", limit: 1000 });
      let settled = 0;
      for (const job of page.items) if (await this.settle(job.id)) settled++;
      if (settled === 0 || page.next === null) break;
    }
  }

  /** Creates a job and queues its first commands (all in one transaction, so it cannot finish early). */
  async create(kind: JobKind, target: string, params: unknown, actor: string, commands: Array<Omit<CommandRequest, "actor" | "jobId">>, detail?: unknown) {
    const at = this.#o.now();
    const job = await this.#o.store.commands.createJob({ kind, target, params, actor, at });
    if (detail !== undefined) await this.#o.store.commands.updateJob(job.id, { detail, at });
    await this.#o.store.audit({ at, actor, action: `people.${kind}`, target, details: { job: job.id, commands: commands.length }, result: "started" });
    await this.add(job, commands);
    await this.settle(job.id);
    return job;
  }

  async add(job: JobRow, commands: Array<Omit<CommandRequest, "actor" | "jobId">>) {
    if (commands.length > 0) await this.#o.dispatcher.submit(commands.map((c) => ({ ...c, actor: job.actor, jobId: job.id })));
  }

  async note(job: JobRow, detail: unknown) {
    await this.#o.store.commands.updateJob(job.id, { detail, at: this.#o.now() });
  }

  /** Finishes the job when none of its commands is open. True when it finished now. */
  async settle(id: number): Promise<boolean> {
    const counts = await this.#o.store.commands.countByStatus(id);
    if ((counts.queued ?? 0) + (counts.sent ?? 0) > 0) return false;
    const job = await this.#o.store.commands.getJob(id);
    if (!job || job.status !== "running") return false;
    const failed = FAILED.reduce((n, s) => n + (counts[s] ?? 0), 0);
    const status = failed > 0 ? "failed" : "succeeded";
    const at = this.#o.now();
    await this.#o.store.commands.updateJob(id, { status, at });
    const total = Object.values(counts).reduce((n, v) => n + (v ?? 0), 0);
    const result = failed > 0 ? `failed: ${failed} of ${total} commands did not succeed` : "ok";
    await this.#o.store.audit({ at, actor: job.actor, action: `people.${job.kind}.finished`, target: job.target, details: { job: id, commands: total }, result });
    this.#o.log.info({ job: id, kind: job.kind, target: job.target, commands: total, failed }, "job finished");
    return true;
  }

  /** The job as the API shows it: its row, progress by command status, and what failed. */
  async view(id: number) {
    const job = await this.#o.store.commands.getJob(id);
    if (!job) return null;
    const counts = await this.#o.store.commands.countByStatus(id);
    const total = Object.values(counts).reduce((n, v) => n + (v ?? 0), 0);
    const open = (counts.queued ?? 0) + (counts.sent ?? 0);
    const failures = await this.#o.store.commands.list({ jobId: id, status: FAILED, limit: MAX_FAILURES_SHOWN });
    return {
      ...jobJson(job),
      progress: {
        total,
        done: total - open,
        queued: counts.queued ?? 0,
        sent: counts.sent ?? 0,
        succeeded: counts.succeeded ?? 0,
        failed: counts.failed ?? 0,
        timedOut: counts.timed_out ?? 0,
        expired: counts.expired ?? 0,
        cancelled: counts.cancelled ?? 0,
      },
      nameOnly: await this.nameOnly(id),
      failures: failures.items.map((c) => {
        const params = JSON.parse(c.params) as Record<string, unknown>;
        return { command: c.id, sn: c.sn, name: c.command, enrollid: params.enrollid ?? null, backupnum: params.backupnum ?? null, status: c.status, reason: c.reason };
      }),
    };
  }

  /**
   * What became of the people the job sent by name alone (`setusername`): on which terminals they
   * are now, and which terminals refused them. Null when it sent no names. Read from at most
   * `NAME_FRAMES_READ` frames of 50, so a push to thousands of terminals stays one quick read.
   */
  async nameOnly(jobId: number): Promise<NameOnly | null> {
    const frames = await this.#o.store.commands.list({ jobId, command: "setusername", limit: NAME_FRAMES_READ });
    if (frames.items.length === 0) return null;
    const sent = { people: new Set<number>(), terminals: new Set<string>() };
    const refused = { people: new Set<number>(), terminals: new Set<string>() };
    let open = 0;
    let refusedFrames = 0;
    for (const c of frames.items) {
      const parsed = nameFrame.safeParse(JSON.parse(c.params));
      const ids = parsed.success ? parsed.data.record.map((r) => r.enrollid) : [];
      const into = c.status === "succeeded" ? sent : c.status === "failed" && refusedByTerminal(c.answer) ? refused : null;
      if (c.status === "queued" || c.status === "sent") open += ids.length;
      if (!into) continue;
      if (into === refused) refusedFrames++;
      into.terminals.add(c.sn);
      for (const id of ids) into.people.add(id);
    }
    const listed = (people: Set<number>) => ({ count: people.size, enrollids: [...people].sort((a, b) => a - b).slice(0, MAX_FAILURES_SHOWN) });
    return {
      sent: { ...listed(sent.people), terminals: sent.terminals.size },
      refused: { ...listed(refused.people), terminals: [...refused.terminals].sort().slice(0, MAX_FAILURES_SHOWN), frames: refusedFrames },
      open,
      partial: frames.next !== null,
    };
  }
}

const NAME_FRAMES_READ = 200;
const nameFrame = z.object({ record: z.array(z.object({ enrollid: z.number().int() })) });

/** People a job sent by name alone: taken (`sent`), refused (by `refused.terminals`), still on their way (`open`, pairs of person and terminal). */
export interface NameOnly {
  sent: { count: number; enrollids: number[]; terminals: number };
  /** `frames`: the refused commands (a job whose only failures they are is told by them). */
  refused: { count: number; enrollids: number[]; terminals: string[]; frames: number };
  open: number;
  /** More frames than were read: the counts are a lower bound. */
  partial: boolean;
}

export function jobJson(job: JobRow) {
  return { ...job, params: JSON.parse(job.params) as unknown, detail: job.detail === null ? null : (JSON.parse(job.detail) as unknown) };
}

const withoutCredentialDetail = z.object({
  withoutCredential: z.object({ count: z.number().int(), enrollids: z.array(z.number().int()), terminals: z.array(z.string()).default([]) }),
});

/**
 * A push's people without a credential that some terminal could not hold: PeopleSync.push notes
 * them, with the terminals known not to take name-only users (none in jobs of earlier versions,
 * which sent no names).
 */
export function withoutCredential(detail: unknown): { count: number; enrollids: number[]; terminals: string[] } | null {
  const parsed = withoutCredentialDetail.safeParse(detail);
  return parsed.success ? parsed.data.withoutCredential : null;
}

/** The terminal answered result:false (a refusal, not a time-out or an answer that could not be stored). */
export function refusedByTerminal(answer: string | null): boolean {
  if (answer === null) return false;
  try {
    const body = JSON.parse(answer) as unknown;
    return typeof body === "object" && body !== null && (body as { result?: unknown }).result === false;
  } catch {
    return false;
  }
}
