/**
 * Which instance holds which terminal, in Redis keys that expire: every instance re-asserts its
 * own terminals on a timer, so a dead instance's entries vanish within the TTL. The shared
 * store's `online` column follows presence: any instance marks offline a terminal that is
 * online in the store but held by no one (the reaper), so the whole site's API and UI show the
 * true state without asking Redis on every read.
 */
import type { Logger } from "pino";
import type { Store } from "../store/contract.ts";
import type { Writer } from "../store/writer.ts";
import type { LiveSession, TerminalRegistry } from "../terminals/registry.ts";
import type { RedisLink } from "./redis-link.ts";

export const PRESENCE_TTL_MS = 20_000;
export const PRESENCE_REFRESH_MS = 5_000;
/** A registration this recent is never reaped: its presence key may still be on its way. */
const REAP_GRACE_MS = 30_000;
const REAP_EVERY_MS = 10_000;

const key = (sn: string) => `tm20:presence:${sn}`;
const RELEASE_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** A live terminal connection as presence sees it. */
export type HeldSession = LiveSession & { readonly sn: string | null };

export interface PresenceOptions {
  instanceId: string;
  link: RedisLink;
  registry: TerminalRegistry<HeldSession>;
  store: Store;
  writer: Writer;
  log: Logger;
  now: () => number;
}

export class Presence {
  #o: PresenceOptions;
  #refresh: ReturnType<typeof setInterval> | undefined;
  #reap: ReturnType<typeof setInterval> | undefined;

  constructor(options: PresenceOptions) {
    this.#o = options;
  }

  start() {
    this.#refresh = setInterval(() => void this.refreshAll(), PRESENCE_REFRESH_MS);
    this.#reap = setInterval(() => void this.#reapOrphans(), REAP_EVERY_MS);
  }

  stop() {
    clearInterval(this.#refresh);
    clearInterval(this.#reap);
  }

  /** Re-asserts every terminal held here (also right after Redis comes back empty). */
  async refreshAll() {
    if (!this.#o.link.up) return;
    try {
      const redis = this.#o.link.client();
      await Promise.all([...this.#o.registry.sessions()].map((s) => this.#set(redis, s)));
    } catch (err) {
      this.#o.log.debug({ err }, "presence refresh failed");
    }
  }

  #set(redis: ReturnType<RedisLink["client"]>, session: HeldSession) {
    const sn = session.sn;
    if (!sn) return Promise.resolve();
    return redis.set(key(sn), this.#o.instanceId, "PX", PRESENCE_TTL_MS);
  }

  async held(sn: string) {
    const session = this.#o.registry.get(sn);
    if (!session || !this.#o.link.up) return;
    try {
      await this.#o.link.client().set(key(sn), this.#o.instanceId, "PX", PRESENCE_TTL_MS);
    } catch {
      // Redis is down: the refresh after it returns re-asserts this terminal.
    }
  }

  /** Deletes the terminal's entry only while it names this instance (it may have moved on). */
  async released(sn: string) {
    if (!this.#o.link.up) return;
    try {
      await this.#o.link.client().send("EVAL", [RELEASE_IF_OURS, "1", key(sn), this.#o.instanceId]);
    } catch {
      // The key expires on its own.
    }
  }

  /** Instance id holding each terminal; null when Redis cannot say. */
  async holders(sns: string[]): Promise<Map<string, string> | null> {
    if (!this.#o.link.up) return null;
    if (sns.length === 0) return new Map();
    try {
      const values = await this.#o.link.client().mget(...sns.map(key));
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
    const now = this.#o.now();
    // After Redis comes back empty, give every instance time to re-assert its terminals first.
    if (this.#o.link.upForMs(now) < 2 * PRESENCE_REFRESH_MS) return;
    try {
      const online = (await this.#o.store.listTerminals()).filter((t) => t.online && t.sessionId && now - t.lastSeen > REAP_GRACE_MS);
      if (online.length === 0) return;
      const holders = await this.holders(online.map((t) => t.sn));
      if (!holders) return;
      const orphans = online.filter((t) => !holders.has(t.sn) && !this.#o.registry.get(t.sn));
      for (const t of orphans) {
        await this.#o.writer.submit({ type: "terminal-offline", sn: t.sn, at: now, sessionId: t.sessionId ?? "" });
      }
      if (orphans.length > 0) this.#o.log.info({ terminals: orphans.length }, "terminals held by no instance marked offline");
    } catch (err) {
      this.#o.log.debug({ err }, "presence reaper failed");
    }
  }
}
