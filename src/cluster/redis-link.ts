/**
 * The instance's two Redis connections (one for commands, one subscribed), kept alive by hand:
 * when Redis goes away, calls fail at once (no offline queue: ingest never waits on Redis) and a
 * reconnect loop brings both back, re-subscribes, and tells the owner so it can re-assert state.
 */
import { RedisClient } from "bun";
import type { Logger } from "pino";
import { AppError } from "../lib/app-error.ts";

export interface RedisLinkOptions {
  url: string;
  log: Logger;
  /** Channels to subscribe; messages go to `onMessage`. */
  channels: string[];
  onMessage: (channel: string, message: string) => void;
  /** Both connections are (again) up and subscribed. */
  onUp: () => void;
  reconnectMs?: number;
}

const clientOptions = { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 3000 } as const;

export class RedisLink {
  #o: RedisLinkOptions;
  #cmd: RedisClient | null = null;
  #sub: RedisClient | null = null;
  #up = false;
  #upSince = 0;
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #downLogged = false;

  constructor(options: RedisLinkOptions) {
    this.#o = options;
  }

  get up(): boolean {
    return this.#up;
  }

  /** How long the link has been up (0 when down). */
  upForMs(now: number): number {
    return this.#up ? now - this.#upSince : 0;
  }

  /** Connects now; when Redis is not reachable yet, the loop keeps trying (start never fails on Redis). */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** The command connection, or an error that says Redis is unavailable. */
  client(): RedisClient {
    if (!this.#up || !this.#cmd) throw redisUnavailable();
    return this.#cmd;
  }

  async #connect() {
    if (this.#stopped) return;
    const cmd = new RedisClient(this.#o.url, clientOptions);
    const sub = new RedisClient(this.#o.url, clientOptions);
    try {
      await cmd.connect();
      await sub.connect();
      await sub.subscribe(this.#o.channels, (message, channel) => this.#o.onMessage(channel, message));
    } catch (err) {
      cmd.close();
      sub.close();
      if (!this.#downLogged) {
        this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, "Redis unreachable; cluster routing is down, ingest continues; retrying");
        this.#downLogged = true;
      }
      this.#retry();
      return;
    }
    if (this.#stopped) {
      cmd.close();
      sub.close();
      return;
    }
    const lost = (which: string) => (err: Error) => this.#lost(which, err, cmd, sub);
    cmd.onclose = lost("command");
    sub.onclose = lost("subscriber");
    this.#cmd = cmd;
    this.#sub = sub;
    this.#up = true;
    this.#upSince = Date.now();
    this.#o.log.info(this.#downLogged ? "Redis reachable again; cluster routing restored" : "Redis connected");
    this.#downLogged = false;
    this.#o.onUp();
  }

  #lost(which: string, err: Error, cmd: RedisClient, sub: RedisClient) {
    // Both connections of one generation share a fate: the first loss retires the pair.
    if (this.#cmd !== cmd) return;
    this.#cmd = null;
    this.#sub = null;
    this.#up = false;
    cmd.onclose = null;
    sub.onclose = null;
    cmd.close();
    sub.close();
    if (this.#stopped) return;
    this.#o.log.warn({ connection: which, err: err?.message }, "Redis connection lost; cluster routing is down, ingest continues; reconnecting");
    this.#downLogged = true;
    this.#retry();
  }

  #retry() {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#connect(), this.#o.reconnectMs ?? 1000);
  }

  stop() {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#up = false;
    for (const c of [this.#cmd, this.#sub]) {
      if (!c) continue;
      c.onclose = null;
      c.close();
    }
    this.#cmd = null;
    this.#sub = null;
  }
}

const redisUnavailable = () => new AppError(503, "redis_unavailable", "Redis is unavailable: cluster routing is down");
