/**
 * The access rules the server decides with, in memory (issue 16): one `snapshot` of the model,
 * so a server-mode terminal's answer needs no store round trip. Rebuilt after every change made
 * on this instance (the access, people, group, holiday and access-mode use cases, imports
 * included, call `changed()`), after another cluster instance's (`rebuild()` on the relayed
 * `access-changed` event, server.ts), and every `refreshMs` as a safety net for what no signal
 * reaches (a store edited by hand). A model that does not read
 * (it cannot happen through the use cases) keeps the last good snapshot and is logged.
 */
import type { Logger } from "pino";
import { type AccessSnapshot, type Decision, decide, MESSAGES, parseAccessModel, type RefusalReason, snapshot } from "../access/index.ts";
import { isPlaceholderEnrollid } from "../protocol/index.ts";
import type { PassUseOutcome } from "../store/access-contract.ts";
import type { Punch, Store } from "../store/contract.ts";

export interface AccessLiveDeps {
  store: Pick<Store, "access" | "listTerminals">;
  log: Logger;
  refreshMs: number;
  /**
   * Site-local time before which ended passes are left out of the snapshot (they open nothing,
   * and a site makes passes every day); absent: every pass.
   */
  passesEndingFrom?: () => string;
}

/** A `sendqrcode` carries no time: a unit's resend within this long gets the first answer again (§7.5). */
const QR_REPEAT_MS = 10_000;
/** Answers remembered for resends, at most (the oldest go first). */
const QR_REMEMBERED = 1_000;

export class AccessLive {
  #d: AccessLiveDeps;
  #snapshot: AccessSnapshot = snapshot({ schedules: [], levels: [], terminalGroups: [], people: [], holidays: [], passes: [] });
  /** The rebuild running now, and whether another must follow it (a change arrived meanwhile). */
  #running: Promise<void> | null = null;
  #again = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Terminals whose punches the server decides. */
  #serverMode = new Set<string>();
  /** (sn, code) → the answer given and when; a Map iterates oldest first. */
  #qrAnswers = new Map<string, { at: number; decision: Decision }>();

  constructor(deps: AccessLiveDeps) {
    this.#d = deps;
  }

  get current(): AccessSnapshot {
    return this.#snapshot;
  }

  isServerMode(sn: string): boolean {
    return this.#serverMode.has(sn);
  }

  /**
   * A server-mode terminal's `sendlog`: the decision for its newest record with an enrollid
   * (§7.5), at the record's own time, so a resend gets the same answer; a refusal is written on
   * that punch (`refused`) so it is stored marked. A placeholder enrollid (nobody enrolled, §7.5)
   * is refused without consulting the rules. Null for a terminal the server does not decide for,
   * or a frame without a person's record (door events only).
   */
  decidePunches(sn: string, punches: Punch[]): { access: 0 | 1; message: string } | null {
    if (!this.#serverMode.has(sn)) return null;
    const punch = punches.findLast((p) => p.enrollid !== 0);
    if (!punch) return null;
    if (isPlaceholderEnrollid(punch.enrollid)) {
      // Nobody the unit knows (§7.5): never a person, even one enrolled under that number, and no
      // source shows an issued code's text in such a record, only a health pass's decoded fields.
      const reason = punch.scannedCode ? "unknown_code" : "unknown_person";
      punch.refused = reason;
      return { access: 0, message: MESSAGES[reason] };
    }
    const d = decide(this.#snapshot, { sn, at: punch.time, credential: { kind: "enrollid", enrollid: punch.enrollid } });
    if (d.access === 0) punch.refused = d.reason;
    return { access: d.access, message: d.message };
  }

  /**
   * A `sendqrcode` (either mode): the code must be one the server issued, compared exactly (by
   * its digest, `decide.ts`); then that person's or pass's rules at `at`, the site-local arrival
   * time. A pass the rules admit spends one use in the store (`usePass`: atomic across doors and
   * instances, and the live check of a revoke made on another instance). The same code at the
   * same terminal within QR_REPEAT_MS gets the same answer: a person's from memory here, a
   * pass's from the store's record of its uses (unless it was revoked meanwhile: a revoke wins).
   */
  async decideQr(sn: string, text: string, at: string, now: number): Promise<Decision> {
    const key = `${sn}\0${text}`;
    const before = this.#qrAnswers.get(key);
    if (before && now - before.at < QR_REPEAT_MS) return before.decision;
    const decision = decide(this.#snapshot, { sn, at, credential: { kind: "qr", text } });
    // A pass's answers are not remembered here but in the store, with its uses: a revoke made on
    // another instance refuses it at once, and a resend is recognised whichever instance it reaches.
    if (decision.passId !== null) {
      if (decision.access === 0) return decision;
      const outcome = await this.#usePass(decision.passId, sn, now);
      if (outcome === null) return refusal(decision, "pass_unavailable");
      if (outcome === "granted" || outcome === "repeat") return decision;
      return refusal(decision, outcome === "revoked" ? "pass_revoked" : outcome === "used_up" ? "pass_used_up" : "unknown_code");
    }
    this.#qrAnswers.delete(key);
    this.#qrAnswers.set(key, { at: now, decision });
    for (const k of this.#qrAnswers.keys()) {
      if (this.#qrAnswers.size <= QR_REMEMBERED) break;
      this.#qrAnswers.delete(k);
    }
    return decision;
  }

  /** The store's answer for one use of the pass; null when it could not be asked. */
  async #usePass(passId: number, sn: string, now: number): Promise<PassUseOutcome | null> {
    try {
      return (await this.#d.store.access.usePass(passId, { sn, scan: "sendqrcode", at: now, repeatWithinMs: QR_REPEAT_MS })).outcome;
    } catch (err) {
      this.#d.log.warn({ err, sn, passId }, "a pass's use not counted (store failed); the scan is refused");
      return null;
    }
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

  /** The rules changed: resolves once they are in use (changes during a rebuild are coalesced into one more). */
  changed(): Promise<void> {
    return this.rebuild();
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
          const [model, terminals] = await Promise.all([this.#d.store.access.model(this.#d.passesEndingFrom ? { passesEndingFrom: this.#d.passesEndingFrom() } : {}), this.#d.store.listTerminals()]);
          this.#serverMode = new Set(terminals.filter((t) => t.accessMode === "server").map((t) => t.sn));
          const parsed = parseAccessModel(model);
          if (parsed.ok) {
            this.#snapshot = snapshot(parsed.model);
            // A remembered QR answer was decided by the old rules (a revoked code must stop at once).
            this.#qrAnswers.clear();
          }
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

function refusal(d: Decision, reason: RefusalReason): Decision {
  return { access: 0, reason, message: MESSAGES[reason], enrollid: d.enrollid, name: d.name, passId: d.passId };
}
