/**
 * Which socket speaks for each terminal right now. The newest registered socket for an `sn`
 * wins; a displaced socket's close must not touch the live session (the session id guards the
 * store side of that).
 */
export interface LiveSession {
  readonly sessionId: string;
  close(code: number, reason: string): void;
}

export class TerminalRegistry<S extends LiveSession = LiveSession> {
  #live = new Map<string, S>();
  #seen = new Map<string, number>();

  /** Makes `session` the live one for `sn`; returns the one it displaced, if any. */
  claim(sn: string, session: S): S | undefined {
    const old = this.#live.get(sn);
    this.#live.set(sn, session);
    return old === session ? undefined : old;
  }

  /** True when `session` was the live one (and so the terminal is now disconnected). */
  release(sn: string, session: S): boolean {
    if (this.#live.get(sn) !== session) return false;
    this.#live.delete(sn);
    return true;
  }

  get(sn: string): S | undefined {
    return this.#live.get(sn);
  }

  get size(): number {
    return this.#live.size;
  }

  sessions(): IterableIterator<S> {
    return this.#live.values();
  }

  /** Last-seen is kept in memory per frame and persisted in bulk (see takeSeen). */
  touch(sn: string, at: number) {
    this.#seen.set(sn, at);
  }

  takeSeen(): Array<{ sn: string; at: number }> {
    const entries = [...this.#seen].map(([sn, at]) => ({ sn, at }));
    this.#seen.clear();
    return entries;
  }
}
