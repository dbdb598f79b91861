/**
 * This instance's part in a cluster: presence of its terminals in Redis, and the relay that
 * carries bus events between instances (records committed, for every live feed; commands
 * queued, so that the instance holding the terminal sends them). Everything durable is in the
 * shared PostgreSQL store; Redis only carries who-holds-what and wake-ups, so losing it stops
 * cross-instance routing but never ingest.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { BusEvents, EventBus } from "../events/bus.ts";
import type { PgStore } from "../store/pg/pg-store.ts";
import type { Writer } from "../store/writer.ts";
import type { TerminalRegistry } from "../terminals/registry.ts";
import { type RedisNames, redisNames } from "./namespace.ts";
import { type HeldSession, Presence } from "./presence.ts";
import { RedisLink } from "./redis-link.ts";

/** Commit notices are batched: one message per instance per interval, not one per batch. */
const RELAY_EVERY_MS = 100;
/**
 * After a failed commit only a successful one ends the episode (and the 503 of /health). The load
 * balancer drains an unhealthy instance, so no terminal would write to it again: an empty write
 * on this timer proves the store is back.
 */
const RECOVERY_PROBE_MS = 2000;

type Relayed =
  | { type: "records-committed"; payload: BusEvents["records-committed"] }
  | { type: "commands-queued"; payload: BusEvents["commands-queued"] }
  | { type: "access-changed"; payload: BusEvents["access-changed"] };

interface RelayMessage {
  origin: string;
  events: Relayed[];
}

export interface ClusterNodeOptions {
  redisUrl: string;
  /** The site's namespace in Redis (--redis-prefix, else derived from the store: namespace.ts). */
  redisPrefix: string;
  registry: TerminalRegistry<HeldSession>;
  store: PgStore;
  writer: Writer;
  bus: EventBus;
  log: Logger;
  now: () => number;
}

export interface ClusterStatus {
  instance: string;
  redis: "ok" | "unavailable";
}

export class ClusterNode {
  readonly instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  #o: ClusterNodeOptions;
  #names: RedisNames;
  #link: RedisLink;
  #presence: Presence;
  #pending: Relayed[] = [];
  #flush: ReturnType<typeof setInterval> | undefined;
  #probe: ReturnType<typeof setInterval> | undefined;
  #off: Array<() => void> = [];

  constructor(options: ClusterNodeOptions) {
    this.#o = options;
    this.#names = redisNames(options.redisPrefix);
    this.#link = new RedisLink({
      url: options.redisUrl,
      log: options.log,
      channels: [this.#names.events],
      onMessage: (_channel, message) => this.#received(message),
      onUp: () => {
        void this.#presence.refreshAll();
        // Wake-ups sent while Redis was down were lost: every held terminal re-checks its queue.
        for (const s of options.registry.sessions()) if (s.sn) options.bus.emit("commands-queued", { sn: s.sn, origin: "redis-recovered" });
      },
    });
    this.#presence = new Presence({ instanceId: this.instanceId, names: this.#names, link: this.#link, registry: options.registry, store: options.store, writer: options.writer, log: options.log, now: options.now });
  }

  async start() {
    const { bus, registry } = this.#o;
    this.#off.push(
      bus.on("terminal-online", (e) => void this.#presence.held(e.sn)),
      bus.on("terminal-offline", (e) => void this.#presence.released(e.sn)),
      bus.on("records-committed", (e) => {
        if (e.origin === undefined) this.#pending.push({ type: "records-committed", payload: e });
      }),
      bus.on("commands-queued", (e) => {
        if (e.origin !== undefined) return;
        // A wake-up for a terminal held elsewhere must not wait for the batch.
        if (!registry.get(e.sn)) this.#publish([{ type: "commands-queued", payload: e }]);
      }),
      // The other instances' live decisions follow at once, not at their next refresh.
      bus.on("access-changed", (e) => {
        if (e.origin === undefined) this.#publish([{ type: "access-changed", payload: {} }]);
      }),
    );
    await this.#link.start();
    this.#presence.start();
    this.#flush = setInterval(() => {
      if (this.#pending.length > 0) this.#publish(this.#pending.splice(0));
    }, RELAY_EVERY_MS);
    const writer = this.#o.writer;
    this.#probe = setInterval(() => {
      if (writer.failure !== null && writer.depth === 0) writer.submit({ type: "terminals-last-seen", entries: [] }).catch(() => {});
    }, RECOVERY_PROBE_MS);
    this.#o.log.info({ instance: this.instanceId, redisPrefix: this.#o.redisPrefix, redis: this.#link.up ? "ok" : "unavailable" }, "cluster node started");
  }

  /**
   * Of `sns`, the terminals a command cannot reach from here now: Redis is down and the store
   * shows them connected, not to this instance. With Redis up, every terminal is reachable: one
   * held elsewhere gets the wake-up, one held by no one gets the command when it registers.
   */
  async unreachable(sns: string[]): Promise<string[]> {
    if (this.#link.up) return [];
    const elsewhere = sns.filter((sn) => !this.#o.registry.get(sn));
    if (elsewhere.length === 0) return [];
    const rows = await Promise.all(elsewhere.map((sn) => this.#o.store.getTerminal(sn)));
    return rows.flatMap((t) => (t?.online ? [t.sn] : []));
  }

  status(): ClusterStatus {
    return { instance: this.instanceId, redis: this.#link.up ? "ok" : "unavailable" };
  }

  #publish(events: Relayed[]) {
    if (!this.#link.up) return;
    const message: RelayMessage = { origin: this.instanceId, events };
    try {
      this.#link.client().publish(this.#names.events, JSON.stringify(message)).catch(() => {});
    } catch {
      // Redis went down between the check and the call: live feeds of other instances catch up on their timer.
    }
  }

  #received(text: string) {
    let message: RelayMessage;
    try {
      message = JSON.parse(text) as RelayMessage;
    } catch {
      return;
    }
    if (message.origin === this.instanceId || !Array.isArray(message.events)) return;
    for (const e of message.events) {
      if (e.type === "records-committed") this.#o.bus.emit("records-committed", { ...e.payload, origin: message.origin });
      else if (e.type === "commands-queued" && this.#o.registry.get(e.payload.sn)) this.#o.bus.emit("commands-queued", { sn: e.payload.sn, origin: message.origin });
      else if (e.type === "access-changed") this.#o.bus.emit("access-changed", { origin: message.origin });
    }
  }

  async stop() {
    for (const off of this.#off.splice(0)) off();
    clearInterval(this.#flush);
    clearInterval(this.#probe);
    this.#presence.stop();
    // Hand the terminals over at once: the load balancer sends them elsewhere now, not in a TTL.
    await Promise.all([...this.#o.registry.sessions()].map((s) => (s.sn ? this.#presence.released(s.sn) : undefined)));
    this.#link.stop();
  }
}
