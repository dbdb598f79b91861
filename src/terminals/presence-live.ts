/**
 * Who is inside, kept in memory (issue 16): at start (and every `refreshMs`, and when a terminal's
 * site-entrance mark changes) the punches of the last `PRESENCE_WINDOW_MS` at the site entrances
 * are read once, oldest first; after that each commit's new rows are read by id after the last
 * one seen and applied, so a request never scans the store. Restart-safe: the state is rebuilt
 * from the stored punches. In a cluster every instance follows every commit (the relayed
 * `records-committed`) over the shared store.
 */
import type { Logger } from "pino";
import { type Inside, PRESENCE_WINDOW_MS, type PresencePunch, PresenceState } from "../access/presence.ts";
import type { EventBus } from "../events/bus.ts";
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { SiteClock } from "../protocol/index.ts";
import type { Store } from "../store/contract.ts";
import type { SiteRules } from "../timesheets/types.ts";

const PAGE = 5000;

export interface PresenceEntry extends Inside {
  name: string | null;
  /** The entrance's name, or its sn. */
  door: string;
}

export interface PresenceView {
  asOf: number;
  entrances: Array<{ sn: string; name: string | null }>;
  count: number;
  items: PresenceEntry[];
}

export interface PresenceOptions {
  store: Store;
  bus: EventBus;
  log: Logger;
  now: () => number;
  clock: () => SiteClock;
  /** How often everything is read again (entrances or punch reading changed on another instance). */
  refreshMs: number;
}

export class PresenceLive {
  readonly #o: PresenceOptions;
  #state = new PresenceState();
  #entrances = new Map<string, string | null>();
  #names = new Map<number, string>();
  #site: SiteRules | null = null;
  #lastId = 0;
  /** Reloads and catch-ups run one at a time, in order. */
  #chain: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #off: (() => void) | undefined;
  #catchingUp = false;

  constructor(o: PresenceOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    await this.reload();
    this.#off = this.#o.bus.on("records-committed", ({ sn }) => {
      if (this.#entrances.has(sn)) this.#catchUp();
    });
    this.#timer = setInterval(() => void this.reload(), this.#o.refreshMs);
    this.#timer.unref?.();
  }

  stop(): void {
    this.#off?.();
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Reads the entrances, the site's punch reading and the window's punches again. */
  reload(): Promise<void> {
    return this.#run(async () => {
      const { store } = this.#o;
      const now = this.#o.now();
      const [terminals, rules, newest, people] = await Promise.all([store.listTerminals(), store.timesheets.rules(), store.admin.latestAttendance(1), store.people.all()]);
      const entrances = new Map(terminals.filter((t) => t.siteEntrance).map((t) => [t.sn, t.name]));
      const throughId = newest[0]?.id ?? 0;
      const rows: PresencePunch[] = [];
      if (entrances.size > 0) {
        const from = this.#o.clock().format(now - PRESENCE_WINDOW_MS);
        for (let afterId = 0; ; ) {
          const page = await store.attendanceSlice({ sns: [...entrances.keys()], from, afterId, throughId }, "id", 0, PAGE);
          rows.push(...page);
          const last = page[page.length - 1];
          if (!last || page.length < PAGE) break;
          afterId = last.id;
          await yieldToLoop();
        }
      }
      const state = new PresenceState();
      for (const p of rows.sort(byTime)) state.apply(p, rules.site);
      this.#state = state;
      this.#entrances = entrances;
      this.#site = rules.site;
      this.#names = new Map(people.map((p) => [p.enrollid, p.name]));
      this.#lastId = throughId;
    });
  }

  /** The rows committed since the last one seen, applied (one pass at a time; a commit during it asks for another). */
  #catchUp(): void {
    if (this.#catchingUp) return;
    this.#catchingUp = true;
    void this.#run(async () => {
      this.#catchingUp = false;
      const site = this.#site;
      if (!site) return;
      for (;;) {
        const rows = await this.#o.store.admin.attendanceAfter(this.#lastId, PAGE);
        const last = rows[rows.length - 1];
        if (!last) return;
        this.#lastId = last.id;
        const unnamed: number[] = [];
        for (const p of rows.filter((r) => this.#entrances.has(r.sn)).sort(byTime)) {
          this.#state.apply(p, site);
          if (!this.#names.has(p.enrollid)) unnamed.push(p.enrollid);
        }
        // Someone added since the last reload: their name, once.
        if (unnamed.length > 0) for (const p of await this.#o.store.people.all()) this.#names.set(p.enrollid, p.name);
        if (rows.length < PAGE) return;
        await yieldToLoop();
      }
    });
  }

  #run(fn: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(fn).catch((err: unknown) => this.#o.log.error({ err }, "presence: could not read the punches"));
    this.#chain = next;
    return next;
  }

  /** Resolves once every commit seen so far is applied (tests, and the API after a change). */
  settled(): Promise<void> {
    return this.#chain;
  }

  view(): PresenceView {
    const now = this.#o.now();
    this.#state.prune(now);
    const items = this.#state.inside(now).map((i) => ({ ...i, name: this.#names.get(i.enrollid) ?? null, door: this.#entrances.get(i.sn) ?? i.sn }));
    const entrances = [...this.#entrances].map(([sn, name]) => ({ sn, name })).sort((a, b) => (a.sn < b.sn ? -1 : a.sn > b.sn ? 1 : 0));
    return { asOf: now, entrances, count: items.length, items };
  }
}

const byTime = (a: PresencePunch, b: PresencePunch) => a.ts - b.ts || a.id - b.id;
