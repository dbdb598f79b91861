/**
 * The access rules the server decides with, in memory (issue 16): one `snapshot` of the model,
 * so a server-mode terminal's answer needs no store round trip. Rebuilt after every change made
 * on this instance (access and people use cases call `changed()`), and every `refreshMs` for
 * what changes elsewhere (another cluster instance, an HR import). A model that does not read
 * (it cannot happen through the use cases) keeps the last good snapshot and is logged.
 */
import type { Logger } from "pino";
import { type AccessSnapshot, parseAccessModel, snapshot } from "../access/index.ts";
import type { Store } from "../store/contract.ts";

export interface AccessLiveDeps {
  store: Pick<Store, "access">;
  log: Logger;
  refreshMs: number;
}

export class AccessLive {
  #d: AccessLiveDeps;
  #snapshot: AccessSnapshot = snapshot({ schedules: [], levels: [], terminalGroups: [], people: [], holidays: [], passes: [] });
  /** The rebuild running now, and whether another must follow it (a change arrived meanwhile). */
  #running: Promise<void> | null = null;
  #again = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(deps: AccessLiveDeps) {
    this.#d = deps;
  }

  get current(): AccessSnapshot {
    return this.#snapshot;
  }

  /** The first snapshot, before any terminal is answered; then the periodic refresh. */
  async start(): Promise<void> {
    await this.rebuild();
    this.#timer = setInterval(() => void this.rebuild(), this.#d.refreshMs);
    this.#timer.unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The rules changed: rebuild (changes during a rebuild are coalesced into one more). */
  changed(): void {
    void this.rebuild();
  }

  /** Resolves once a snapshot read after this call is in place. */
  rebuild(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          const parsed = parseAccessModel(await this.#d.store.access.model());
          if (parsed.ok) this.#snapshot = snapshot(parsed.model);
          else this.#d.log.error({ error: parsed.error }, "access rules do not read; the last good ones stay in use");
        } catch (err) {
          this.#d.log.warn({ err }, "access rules not read; the last ones stay in use until the next try");
        }
      } while (this.#again);
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }
}
