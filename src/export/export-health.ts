/**
 * The continuous export's health: its state, the current failure episode (logged once, at its
 * start, and once when it ends) and the back-off before the next try.
 */
import type { Logger } from "pino";
import { backoffMs } from "../lib/backoff.ts";

export type ExportState = "starting" | "ok" | "failing" | "stopped";

/** The health part of the export's status, as the API and the integrations page show it. */
export interface ExportHealthStatus {
  state: ExportState;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  failing_since: number | null;
  next_attempt_at: number | null;
}

interface ExportHealthOptions {
  log: Logger;
  now: () => number;
  /** The target as logged (no password). */
  target: string;
  retryBaseMs: number;
  retryMaxMs: number;
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ExportHealth {
  state: ExportState = "starting";
  #o: ExportHealthOptions;
  #attempt = 0;
  #lastSuccessAt: number | null = null;
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;
  #failingSince: number | null = null;
  #nextAttemptAt: number | null = null;

  constructor(options: ExportHealthOptions) {
    this.#o = options;
  }

  status(): ExportHealthStatus {
    return {
      state: this.state,
      last_success_at: this.#lastSuccessAt,
      last_error: this.#lastError,
      last_error_at: this.#lastErrorAt,
      failing_since: this.#failingSince,
      next_attempt_at: this.#nextAttemptAt,
    };
  }

  succeeded() {
    if (this.state === "failing") {
      this.#o.log.warn({ target: this.#o.target, failedForMs: this.#o.now() - (this.#failingSince ?? 0) }, "PostgreSQL export recovered");
    }
    this.state = "ok";
    this.#attempt = 0;
    this.#failingSince = null;
    this.#nextAttemptAt = null;
    this.#lastSuccessAt = this.#o.now();
  }

  /** Logs the first failure of an episode only. */
  failed(err: unknown) {
    const at = this.#o.now();
    this.#attempt++;
    this.#lastError = describe(err);
    this.#lastErrorAt = at;
    if (this.#failingSince === null) {
      this.#failingSince = at;
      this.#o.log.error({ target: this.#o.target, err: this.#lastError }, "PostgreSQL export failing; records keep being stored and will be exported when it returns");
    }
    this.state = "failing";
  }

  /** After `failed`: how long to wait before the next try, counted from the failure. */
  backOff(): number {
    const delay = backoffMs(this.#attempt, this.#o.retryBaseMs, this.#o.retryMaxMs);
    this.#nextAttemptAt = (this.#lastErrorAt ?? this.#o.now()) + delay;
    return delay;
  }
}
