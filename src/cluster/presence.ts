/**
 * Which instance holds which terminal, in Redis keys that expire: every instance re-asserts its
 * own terminals on a timer, so a dead instance's entries vanish within the TTL. The shared
 * store's `online` column follows presence: any instance marks offline a terminal that is
 * online in the store but held by no one (the reaper), so the whole site's API and UI show the
 * true state without asking Redis on every read.
 *
 * How soon a dead instance's terminals show offline everywhere (README: within 20 s): its keys
 * lapse at most PRESENCE_TTL_MS after its last renewal, the next reaper pass starts within
 * REAP_EVERY_MS and confirms REAP_CONFIRM_MS later, then one commit: about 16 s at worst.
 */
import type { Logger } from "pino";
import type { WriteOp } from "../store/contract.ts";
import type { PgStore } from "../store/pg/pg-store.ts";
import type { Writer } from "../store/writer.ts";
import type { LiveSession, TerminalRegistry } from "../terminals/registry.ts";
import type { RedisNames } from "./namespace.ts";
import type { RedisLink } from "./redis-link.ts";

export const PRESENCE_TTL_MS = 12_000;
/** Three renewals per lifetime: a key lapses only when an instance misses three in a row. */
export const PRESENCE_REFRESH_MS = 4_000;
const REAP_EVERY_MS = 2_000;
/**
 * A terminal held by no one is looked up once more this much later before it is marked offline:
 * its registration may have committed just before the first look, its key set just after.
 */
const REAP_CONFIRM_MS = 1_500;

const RELEASE_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** A live terminal connection as presence sees it. */
export type HeldSession = LiveSession & { readonly sn: string | null; readonly remoteAddr: string };

/**
 * The registration of a session held here, written again: online under its own session id. A
 * terminal an admin deleted meanwhile comes back pending, never approved by this.
 */
const seenAgain = (sn: string, s: HeldSession, at: number): WriteOp => ({
  type: "terminal-seen", sn, at, sessionId: s.sessionId, remoteAddr: s.remoteAddr, cpusn: null, devinfo: null, approvalIfNew: "pending", online: true,
});

export interface PresenceOptions {
  instanceId: string;
  names: RedisNames;
  link: RedisLink;
  registry: TerminalRegistry<HeldSession>;
  store: Pick<PgStore, "onlineSessions">;
  writer: Writer;
  log: Logger;
  now: () => number;
}

export class Presence {
  #o: PresenceOptions;
  #refresh: ReturnType<typeof setInterval> | undefined;
  #reap: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: PresenceOptions) {
    this.#o = options;
  }

  start() {
    this.#refresh = setInterval(() => void this.refreshAll(), PRESENCE_REFRESH_MS);
    this.#nextReap();
  }

  stop() {
    this.#stopped = true;
    clearInterval(this.#refresh);
    clearTimeout(this.#reap);
  }

  /** Passes never overlap: the next one is due REAP_EVERY_MS after this one ends. */
  #nextReap() {
    this.#reap = setTimeout(() => {
      void this.#reapOrphans().finally(() => {
        if (!this.#stopped) this.#nextReap();
      });
    }, REAP_EVERY_MS);
  }

  /**
   * Re-asserts every terminal held here (also right after Redis comes back empty). A key that had
   * lapsed (this instance stalled, or lost Redis while the others kept it) may have let a reaper
   * mark its terminal offline: the store is told again that it is online.
   */
  async refreshAll() {
    if (!this.#o.link.up) return;
    try {
      const redis = this.#o.link.client();
      const held = [...this.#o.registry.sessions()].flatMap((session) => (session.sn ? [{ sn: session.sn, session }] : []));
      // XX: renewed only while the key exists, so that a lapsed one is noticed.
      const renewed = await Promise.all(held.map((h) => redis.set(this.#o.names.presence(h.sn), this.#o.instanceId, "PX", String(PRESENCE_TTL_MS), "XX")));
      const lapsed = held.filter((_, i) => renewed[i] === null);
      if (lapsed.length === 0) return;
      const at = this.#o.now();
      await Promise.all(
        lapsed.map(async ({ sn, session }) => {
          // A socket closed meanwhile has its offline write on its way.
          if (this.#o.registry.get(sn) !== session) return;
          // The store first: until it says online again, the missing key makes the next refresh retry.
          await this.#o.writer.submit(seenAgain(sn, session, at));
          await redis.set(this.#o.names.presence(sn), this.#o.instanceId, "PX", PRESENCE_TTL_MS);
        }),
      );
      this.#o.log.info({ terminals: lapsed.length }, "presence had lapsed; held terminals marked online again");
    } catch (err) {
      this.#o.log.debug({ err }, "presence refresh failed");
    }
  }

  async held(sn: string) {
    const session = this.#o.registry.get(sn);
    if (!session || !this.#o.link.up) return;
    try {
      await this.#o.link.client().set(this.#o.names.presence(sn), this.#o.instanceId, "PX", PRESENCE_TTL_MS);
    } catch {
      // Redis is down: the refresh after it returns re-asserts this terminal.
    }
  }

  /** Deletes the terminal's entry only while it names this instance (it may have moved on). */
  async released(sn: string) {
    if (!this.#o.link.up) return;
    try {
      await this.#o.link.client().send("EVAL", [RELEASE_IF_OURS, "1", this.#o.names.presence(sn), this.#o.instanceId]);
    } catch {
      // The key expires on its own.
    }
  }

  /** Instance id holding each terminal; null when Redis cannot say. */
  async holders(sns: string[]): Promise<Map<string, string> | null> {
    if (!this.#o.link.up) return null;
    if (sns.length === 0) return new Map();
    try {
      const values = await this.#o.link.client().mget(...sns.map(this.#o.names.presence));
      const out = new Map<string, string>();
      values.forEach((v, i) => {
        const sn = sns[i];
        if (v && sn) out.set(sn, v);
      });
      return out;
    } catch {
      return null;
    }
  }

  async #reapOrphans() {
    try {
      const suspects = await this.#heldByNoOne(await this.#o.store.onlineSessions());
      if (suspects.length === 0) return;
      await Bun.sleep(REAP_CONFIRM_MS);
      if (this.#stopped) return;
      const orphans = await this.#heldByNoOne(suspects);
      const at = this.#o.now();
      // Together, so that they share one commit.
      await Promise.all(orphans.map((t) => this.#o.writer.submit({ type: "terminal-offline", sn: t.sn, at, sessionId: t.sessionId })));
      if (orphans.length > 0) this.#o.log.info({ terminals: orphans.length }, "terminals held by no instance marked offline");
    } catch (err) {
      this.#o.log.debug({ err }, "presence reaper failed");
    }
  }

  /** Of `sessions`, those no instance holds; none while Redis cannot tell. */
  async #heldByNoOne<T extends { sn: string }>(sessions: T[]): Promise<T[]> {
    // After Redis comes back empty, give every instance time to re-assert its terminals first.
    if (sessions.length === 0 || this.#o.link.upForMs(this.#o.now()) < 2 * PRESENCE_REFRESH_MS) return [];
    const holders = await this.holders(sessions.map((t) => t.sn));
    if (!holders) return [];
    return sessions.filter((t) => !holders.has(t.sn) && !this.#o.registry.get(t.sn));
  }
}
