/**
 * Keeps every access-controlled terminal holding the tables the model compiles to (issue 16),
 * so its door decides alone when the server is down: day zones, week zones, the holiday table
 * and a lock per person (access/compile.ts), sent as the minimum (access/diff.ts), the way
 * people/sync.ts keeps credentials.
 *
 * - What a terminal holds is recorded from the commands it acknowledged (`Store.access.held`);
 *   a command that failed or timed out makes that part unknown, so the next sync sends it again.
 *   Commands still open count as held: a sync plans from the state the queue leaves.
 * - A terminal is managed once a level names it (directly or through a terminal group) and stays
 *   managed while anything is known held there: a door taken out of every level closes to
 *   everyone rather than opening to everyone (a unit admits a person it holds no lock for).
 *   Terminals in either access mode hold the tables: a server-mode unit with "Server approval"
 *   off decides from them.
 * - It runs after every change of the rules (`changed`, coalesced: a change during a run makes
 *   one more), on a terminal's `reg` (one that was offline catches up), and when the site's date
 *   changes (the holiday table is the coming year's).
 * - A model that does not fit a terminal is refused for that terminal: nothing is sent there, and
 *   the message (rule and terminal named) is kept as its sync problem (an alert) until a sync
 *   fits again. The access use cases check a change against the same rules before writing it
 *   (`misfits`), so an admin's change that cannot fit is refused with that message.
 */
import type { Logger } from "pino";
import {
  type AccessModelInput, compileTerminal, type FitError, type HeldTables, heldAfter, indexModel, type ModelIndex, NOTHING_HELD, parseAccessModel,
  type PlannedCommand, planTerminal, type TerminalHoliday, type UserLock,
} from "../access/index.ts";
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import type { Jobs } from "../people/jobs.ts";
import type { SiteClock } from "../protocol/index.ts";
import type { HeldAccessRow } from "../store/access-contract.ts";
import type { CommandRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";

export interface AccessSyncDeps {
  store: Store;
  dispatcher: CommandDispatcher;
  jobs: Jobs;
  readonly clock: SiteClock;
  log: Logger;
  now: () => number;
  /**
   * The rules as the live decision holds them (`AccessLive.current.index`): read and checked once
   * per change for both, which matters at 10,000 people (about half a second). Every change
   * rebuilds them before it syncs, so a run never starts from rules older than its cause.
   */
  rules: () => ModelIndex;
  /** How often the site's date is looked at (the daily sync runs when it changed). */
  dayCheckMs: number;
}

/** What one run did: the terminals it refused (with why) and the commands it queued. */
export interface SyncOutcome {
  refused: FitError[];
  queued: number;
}

/** Commands whose acknowledgement changes what a terminal holds of the access tables. */
const TRACKED = new Set(["setdevlock", "setholiday", "setuserlock", "deleteuserlock", "cleanuserlock", "initsys", "deleteuser"]);
/** The whole person (PROTOCOL.md §4 `deleteuser`): their lock is forgotten with them (inf). */
const WHOLE_PERSON = 13;

export function heldTables(row: HeldAccessRow): HeldTables {
  return {
    dayzones: row.dayzones,
    weekzones: row.weekzones,
    holidays: row.holidays,
    locks: new Map(row.locks.map(({ enrollid, ...lock }) => [enrollid, lock])),
  };
}

const paramsOf = (c: CommandRow) => JSON.parse(c.params) as Record<string, unknown>;

export class AccessSync {
  #d: AccessSyncDeps;
  /** Runs one at a time: two plans from the same held state would queue the same commands twice. */
  #chain: Promise<unknown> = Promise.resolve();
  /** A full run queued and not started yet: later changes join it. */
  #pendingAll: Promise<SyncOutcome> | null = null;
  #pendingTerminals = new Map<string, Promise<SyncOutcome>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #day = "";

  constructor(deps: AccessSyncDeps) {
    this.#d = deps;
    deps.dispatcher.onFinished((row) => this.#acknowledged(row));
  }

  #today(): string {
    return this.#d.clock.format(this.#d.now()).slice(0, 10);
  }

  /** The first run (terminals may have missed changes while the server was down), then the daily check. */
  start(): Promise<SyncOutcome> {
    this.#day = this.#today();
    this.#timer = setInterval(() => {
      const today = this.#today();
      if (today === this.#day) return;
      this.#day = today;
      this.changed().catch((err: unknown) => this.#d.log.error({ err }, "daily access sync failed"));
    }, this.#d.dayCheckMs);
    this.#timer.unref?.();
    return this.changed();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The rules changed: every managed terminal is brought in step (resolves once the commands are queued). */
  changed(actor = "system"): Promise<SyncOutcome> {
    this.#pendingAll ??= this.#serial(() => {
      this.#pendingAll = null;
      return this.#run(null, actor);
    });
    return this.#pendingAll;
  }

  /** A terminal registered: it catches up with what changed while it was away. */
  registered(sn: string): Promise<SyncOutcome> {
    let pending = this.#pendingTerminals.get(sn);
    if (!pending) {
      pending = this.#serial(() => {
        this.#pendingTerminals.delete(sn);
        return this.#run(sn, "system");
      });
      this.#pendingTerminals.set(sn, pending);
    }
    return pending;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn, fn);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /**
   * The rules a model would break on the terminals it would be compiled for, without sending
   * anything: how a use case refuses a change before writing it. Empty when it fits.
   */
  async misfits(input: AccessModelInput): Promise<FitError[]> {
    const parsed = parseAccessModel(input);
    if (!parsed.ok) return [];
    const index = indexModel(parsed.model);
    const today = this.#today();
    const out: FitError[] = [];
    for (const sn of await this.#managed(index, null, false)) {
      const result = compileTerminal(index, sn, today, NOTHING_HELD);
      if (!result.ok) out.push(...result.errors);
    }
    return out;
  }

  /**
   * Approved terminals that a level names or that hold anything known; `onlineOnly`: those
   * connected now. An offline terminal is synced when it registers, from what it holds then, so
   * it is not sent every intermediate state of the rules queued up while it was away.
   */
  async #managed(index: ModelIndex, only: string | null, onlineOnly: boolean): Promise<string[]> {
    const { store } = this.#d;
    const held = new Set(await store.access.heldTerminals());
    const terminals = only === null ? await store.listTerminals() : [await store.getTerminal(only)].flatMap((t) => (t ? [t] : []));
    return terminals
      .filter((t) => t.approval === "approved" && (!onlineOnly || t.online) && (index.levelsAt.has(t.sn) || held.has(t.sn)))
      .map((t) => t.sn)
      .sort();
  }

  async #run(only: string | null, actor: string): Promise<SyncOutcome> {
    const { store, dispatcher, log } = this.#d;
    const index = this.#d.rules();
    const today = this.#today();
    const refused: FitError[] = [];
    const commands: Array<PlannedCommand & { sn: string }> = [];
    for (const sn of await this.#managed(index, only, only === null)) {
      const open = (await dispatcher.open(sn)).sort((a, b) => a.id - b.id).map((c) => ({ command: c.command, params: paramsOf(c) }));
      const result = planTerminal(index, sn, today, heldTables(await store.access.held(sn)), open);
      if (!result.ok) {
        refused.push(...result.errors);
        await store.access.setSyncProblem(sn, result.errors.map((e) => e.message).join("; "), this.#d.now());
        continue;
      }
      await store.access.setSyncProblem(sn, null, this.#d.now());
      for (const planned of result.commands) commands.push({ sn, ...planned });
    }
    if (refused.length > 0) log.warn({ refused: refused.map((e) => e.message) }, "the access rules do not fit some terminals; nothing was sent to them");
    if (commands.length > 0) {
      const sns = [...new Set(commands.map((c) => c.sn))];
      const target = sns.length === 1 ? `terminal:${sns[0]}` : `terminals:${sns.join(",")}`;
      await this.#d.jobs.create("access", target, { terminals: sns }, actor, commands);
    }
    return { refused, queued: commands.length };
  }

  /**
   * Records what a terminal holds once it answered: `heldAfter` for what it acknowledged; what it
   * refused or left unanswered is unknown from then on (sent again by the next sync, not at once:
   * a unit that refuses it would be sent it in a loop).
   */
  async #acknowledged(row: CommandRow): Promise<void> {
    if (!TRACKED.has(row.command)) return;
    const { access } = this.#d.store;
    const p = paramsOf(row);
    if (row.status === "succeeded") {
      // Something took locks or tables off the unit (an admin's command, a person deleted from it):
      // they go back at once, or the unit would admit those people at any hour.
      const wiped = async (release: Promise<void>) => {
        await release;
        this.registered(row.sn).catch((err: unknown) => this.#d.log.error({ err, sn: row.sn }, "access sync after a wipe failed"));
      };
      if (row.command === "deleteuser") {
        if (Number(p.backupnum) === WHOLE_PERSON) await wiped(access.releaseLocks(row.sn, [Number(p.enrollid)]));
        return;
      }
      if (row.command === "initsys") return wiped(access.forgetHeld(row.sn));
      if (row.command === "cleanuserlock") return wiped(access.releaseLocks(row.sn, null));
      if (row.command === "deleteuserlock") return wiped(access.releaseLocks(row.sn, [Number(p.enrollid)]));
      const after = heldAfter(NOTHING_HELD, row.command, p);
      if (row.command === "setuserlock") {
        return access.holdLocks(row.sn, [...after.locks].map(([enrollid, lock]: [number, UserLock]) => ({ enrollid, ...lock })));
      }
      const tables: { dayzones?: string[][]; weekzones?: number[][]; holidays?: TerminalHoliday[] } = {};
      if (after.dayzones) tables.dayzones = after.dayzones;
      if (after.weekzones) tables.weekzones = after.weekzones;
      if (after.holidays) tables.holidays = after.holidays;
      return access.holdTables(row.sn, tables);
    }
    if (row.status !== "failed" && row.status !== "timed_out") return;
    // It may have applied part of it, or all: unknown.
    if (row.command === "setuserlock") {
      return access.releaseLocks(row.sn, (p.record as Array<{ enrollid: number }>).map((r) => r.enrollid));
    }
    if (row.command === "setdevlock") {
      return access.holdTables(row.sn, { ...(p.dayzone !== undefined ? { dayzones: null } : {}), ...(p.weekzone !== undefined ? { weekzones: null } : {}) });
    }
    if (row.command === "setholiday") return access.holdTables(row.sn, { holidays: null });
  }
}
