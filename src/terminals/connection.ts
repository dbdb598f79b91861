/**
 * One terminal socket: decodes its frames and runs them through the pure session core
 * (session-core.ts, PROTOCOL.md §2–3), then executes what the core decided: sends, closes, commits
 * through the group-commit writer, registry and command-engine calls. A positive answer to
 * `sendlog`/`senduser` comes from the core only once the writer reports the commit durable.
 */
import type { Logger } from "pino";
import { decodeFrame, type DevInfo, qrcodeAnswer, type SiteClock, sendqrcodeMessage } from "../protocol/index.ts";
import type { TerminalCommandHooks } from "../commands/hooks.ts";
import type { EventBus } from "../events/bus.ts";
import type { KeypadEnrolment } from "../people/terminal-change.ts";
import type { OpResult, Store, WriteOp } from "../store/contract.ts";
import type { HardwareIdentity } from "../store/terminal-identity.ts";
import type { Writer } from "../store/writer.ts";
import { AppError } from "../lib/app-error.ts";
import type { WarnLimiter } from "../obs/warn-limiter.ts";
import type { AccessLive } from "./access-live.ts";
import { sendlogUpload, senduserUpload } from "./ingest.ts";
import type { MessageRateLimit, NewTerminalRate } from "./rate-limit.ts";
import type { TerminalRegistry } from "./registry.ts";
import { initialSession, type SessionEffect, type SessionInput, type SessionState, step } from "./session-core.ts";

export interface TerminalSocket {
  send(text: string): unknown;
  close(code: number, reason: string): void;
}

export interface ConnectionDeps {
  writer: Writer;
  store: Store;
  bus: EventBus;
  registry: TerminalRegistry<TerminalConnection>;
  clock: SiteClock;
  log: Logger;
  approval: "open" | "approve";
  /** Unknown terminals stored as pending at most. */
  maxPending: number;
  /** New terminals stored per address and minute. */
  newTerminals: NewTerminalRate;
  now: () => number;
  /** The command engine: queued commands, answers, keep-alive probes, enrolments. */
  commands: TerminalCommandHooks;
  /** Absent: no per-terminal message limit. */
  messageRate?: MessageRateLimit;
  /** What a keypad enrolment becomes (the site setting, read at each `senduser`). */
  keypadEnrolment: KeypadEnrolment;
  /** Repeated warnings about one terminal are written a few times a minute, then counted. */
  warnings: WarnLimiter;
  /** The access rules in memory: server-mode `sendlog` answers and every `sendqrcode` (issue 16). */
  access: AccessLive;
}

export { REFUSAL } from "./session-core.ts";

/** Executes the session core's effects for one socket (the rules are in session-core.ts). */
export class TerminalConnection {
  readonly sessionId: string;
  readonly remoteAddr: string;
  readonly path: string;
  #socket: TerminalSocket;
  #d: ConnectionDeps;
  #s: SessionState;
  /** The socket was closed (by either side): set when that happens, not when the core decides it. */
  #closed = false;

  constructor(socket: TerminalSocket, deps: ConnectionDeps, info: { sessionId: string; remoteAddr: string; path: string }) {
    this.#socket = socket;
    this.#d = deps;
    this.sessionId = info.sessionId;
    this.remoteAddr = info.remoteAddr;
    this.path = info.path;
    this.#s = initialSession({ clock: deps.clock, messageRate: deps.messageRate }, deps.now());
  }

  /** The registered serial number, or null before a successful `reg`. */
  get sn(): string | null {
    return this.#s.sn;
  }

  async onFrame(data: string | Uint8Array): Promise<void> {
    await this.#step({ kind: "frame", frame: decodeFrame(data), bytes: data.length });
  }

  /**
   * The socket closed (either side): one line says why. Only the live session may mark the
   * terminal offline. `cause` is what the gateway saw (frame too large, send buffer full).
   */
  onClose(code: number, reason: string, cause?: string) {
    this.#closed = true;
    void this.#step({ kind: "socket-closed", code, reason, cause });
  }

  close(code: number, reason: string) {
    void this.#step({ kind: "close", code, reason });
  }

  /** Keep-alive sweep: probes a silent terminal, closes one silent past the time-out. */
  tick(probeAfterMs: number, timeoutMs: number) {
    void this.#step({ kind: "tick", probeAfterMs, timeoutMs });
  }

  /** Sends a command frame; false when the socket is already closed. */
  deliver(frame: object): boolean {
    if (this.#closed) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** Runs one input through the core, then its effects in order; effects that wait feed their outcome back. */
  async #step(input: SessionInput): Promise<void> {
    const r = step(this.#s, input, this.#d.now());
    this.#s = r.state;
    for (const effect of r.effects) await this.#run(effect);
  }

  async #run(e: SessionEffect): Promise<void> {
    const d = this.#d;
    switch (e.type) {
      case "send":
        if (!this.#closed) this.#socket.send(JSON.stringify(e.message));
        return;
      case "close-socket":
        this.#closed = true;
        return this.#socket.close(e.code, e.reason);
      case "detach":
        return d.commands.closed(e.sn, this);
      case "touch":
        return d.registry.touch(e.sn, this.#s.lastInbound);
      case "warn":
        this.#warn({ remote: this.remoteAddr, ...e.fields }, e.msg, e.level);
        return;
      case "debug":
        return d.log.debug({ sn: this.#s.sn, ...e.fields }, e.msg);
      case "count-over-rate":
        return d.messageRate?.onRefused();
      case "probe":
        d.commands.probe(e.sn, this);
        return;
      case "offer-answer":
        if (d.commands.answer(e.sn, this, e.frame.name, e.frame.body, e.frame.raw)) return;
        return this.#step({ kind: "unanswered", frame: e.frame, allowed: e.allowed });
      case "register": {
        const admitsNew = d.newTerminals.admits(this.remoteAddr, d.now());
        const outcome = await this.#commit(this.#seenOp(e.reg.sn, e.reg.identity.cpusn, e.reg.devinfo, admitsNew ? d.maxPending : 0));
        return this.#step({ kind: "registered", reg: e.reg, outcome, admitsNew, maxPending: d.maxPending });
      }
      case "store-devinfo":
        void this.#commit(this.#seenOp(e.sn, e.cpusn, e.devinfo, d.maxPending));
        return;
      case "new-terminal-charged":
        return d.newTerminals.charge(this.remoteAddr, d.now());
      case "mark-offline":
        return this.#markOffline(e.sn);
      case "identity-mismatch":
        return this.#identityMismatch(e.sn, e.identity, e.outcome);
      case "refused":
        return d.bus.emit("terminal-refused", { sn: e.sn, approval: e.approval });
      case "claim": {
        const displaced = d.registry.claim(e.sn, this);
        displaced?.close(4001, "replaced by a newer connection");
        d.log.info({ sn: e.sn, remote: this.remoteAddr, path: this.path, replaced: displaced !== undefined }, "terminal connected");
        return;
      }
      case "online":
        d.bus.emit("terminal-online", { sn: e.sn, remoteAddr: this.remoteAddr });
        return d.commands.registered(e.sn, this, e.terminalTime);
      case "release": {
        const live = d.registry.release(e.sn, this);
        d.commands.closed(e.sn, this);
        d.log.info({ sn: e.sn, remote: this.remoteAddr, code: e.code, reason: e.reason, why: e.why, by: e.by, live }, "terminal disconnected");
        if (live) {
          d.bus.emit("terminal-offline", { sn: e.sn });
          this.#markOffline(e.sn);
        }
        return;
      }
      case "upload":
        return e.name === "sendlog" ? this.#onSendlog(e.sn, e.body, e.raw) : this.#onSenduser(e.sn, e.body, e.raw);
      case "qrcode":
        return this.#onQrcode(e.sn, e.body);
    }
  }

  /** Guarded by the session id in the store: never touches a newer socket's session. */
  #markOffline(sn: string) {
    this.#d.writer.submit({ type: "terminal-offline", sn, at: this.#d.now(), sessionId: this.sessionId }).catch(() => {
      // Startup marks every terminal offline again; a lost offline mark heals there.
    });
  }

  /** A warning about this terminal (by sn, else by address), within the terminal warning limit; false when it was not written. */
  #warn(fields: Record<string, unknown>, msg: string, level: "warn" | "info" = "warn"): boolean {
    const suppressed = this.#d.warnings.admit(`${this.#s.sn ?? this.#s.boundSn ?? this.remoteAddr}\0${msg}`, this.#d.now());
    if (suppressed === null) return false;
    this.#d.log[level]({ sn: this.#s.sn, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
    return true;
  }

  /** `upload`: the terminal sent it on its own, so it counts against its share of the writer queue. */
  async #commit(op: WriteOp, upload = false): Promise<OpResult> {
    try {
      return await this.#d.writer.submit(op, upload ? this.#s.sn : null);
    } catch (err) {
      if (err instanceof AppError && err.code === "terminal_share") {
        this.#warn({ remote: this.remoteAddr, error: err.message }, "upload beyond this terminal's share of the writer queue refused (result:false; it resends)");
      }
      return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  /**
   * Other hardware registered under a known sn (the store kept it apart for the admin): logged and
   * audited with its address, within the warning limit, since whoever sends it may send it again and again.
   */
  #identityMismatch(sn: string, identity: HardwareIdentity, outcome: "refused" | "accepted") {
    const msg = outcome === "refused"
      ? "hardware identity differs from the approved terminal's: registration refused (\"Replaced hardware\" accepts it)"
      : "hardware identity differs from the terminal's: accepted under --approval open, alert raised (\"Replaced hardware\" accepts it)";
    if (!this.#warn({ sn, remote: this.remoteAddr, cpusn: identity.cpusn, mac: identity.mac }, msg)) return;
    this.#d.store
      .audit({ at: this.#d.now(), actor: `terminal:${sn}`, action: "terminal.identity-mismatch", target: sn, details: { address: this.remoteAddr, ...identity }, result: outcome })
      .catch((err: unknown) => this.#d.log.error({ err, sn }, "audit of a hardware identity mismatch failed"));
  }

  #seenOp(sn: string, cpusn: string | null, devinfo: DevInfo | null, maxPending: number): WriteOp {
    return {
      type: "terminal-seen",
      sn,
      at: this.#d.now(),
      sessionId: this.sessionId,
      remoteAddr: this.remoteAddr,
      cpusn: cpusn ?? null,
      devinfo,
      approvalIfNew: this.#d.approval === "open" ? "approved" : "pending",
      maxPending,
      online: true,
      onIdentityMismatch: this.#d.approval === "open" ? "accept" : "refuse",
    };
  }

  /** Commits the frame's records (a server-mode door decided from memory first) and lets the core answer. */
  async #onSendlog(sn: string, body: Record<string, unknown>, raw: Record<string, unknown>) {
    const { op, problem } = sendlogUpload(sn, body, raw, this.#d.clock, this.#d.now());
    if (problem) this.#warn(problem.fields, problem.msg);
    // From memory, before the commit: a refused punch is stored marked with its reason.
    const door = op.type === "punches" ? this.#d.access.decidePunches(sn, op.punches) : null;
    const result = await this.#commit(op, true);
    await this.#step({ kind: "uploaded", name: "sendlog", body, ok: result.ok, door: door ?? undefined });
    if (result.ok) {
      this.#d.bus.emit("records-committed", { sn, inserted: result.inserted, duplicates: result.duplicates, quarantined: result.quarantined });
    }
  }

  async #onSenduser(sn: string, body: Record<string, unknown>, raw: Record<string, unknown>) {
    const { op, problem, credential } = senduserUpload(sn, body, raw, this.#d.now(), { remoteAddr: this.remoteAddr, enrolment: this.#d.keypadEnrolment });
    if (problem) this.#warn(problem.fields, problem.msg);
    const result = await this.#commit(op, true);
    // Held or ignored, it is answered as stored: it is, as a held change or an audit entry.
    await this.#step({ kind: "uploaded", name: "senduser", body, ok: result.ok });
    if (!result.ok || !credential) return;
    if (result.terminalChange === "held" || result.terminalChange === "ignored") {
      this.#warn({ remote: this.remoteAddr, ...credential, outcome: result.terminalChange }, "person change from a terminal not applied (held for an admin or ignored; see the audit log)");
      return;
    }
    this.#d.commands.enrolled(sn, credential.enrollid, credential.backupnum);
  }

  async #onQrcode(sn: string, body: Record<string, unknown>) {
    const parsed = sendqrcodeMessage.safeParse(body);
    if (!parsed.success) return void this.deliver(qrcodeAnswer(false, 0, "", "Unreadable code"));
    // A QR code is a credential the server issued, never an enrollid: "21" opens nothing.
    const now = this.#d.now();
    const d = await this.#d.access.decideQr(sn, parsed.data.record, this.#d.clock.format(now), now);
    this.deliver(qrcodeAnswer(d.access === 1, d.enrollid ?? 0, d.name, d.access === 1 && d.name ? `${d.message} ${d.name}` : d.message));
  }
}
