/**
 * One terminal socket: decodes its frames, answers them per PROTOCOL.md §2–3, and hands the data
 * to the group-commit writer. A positive answer to `sendlog`/`senduser` is sent only after the
 * writer reports the commit durable.
 */
import type { Logger } from "pino";
import {
  decodeFrame,
  type DevInfo,
  describeError,
  failure,
  qrcodeAnswer,
  regAccepted,
  regMessage,
  regRefused,
  type SiteClock,
  sendlogAnswer,
  sendlogMessage,
  sendqrcodeMessage,
  senduserAnswer,
  senduserMessage,
} from "../protocol/index.ts";
import type { TerminalCommandHooks } from "../commands/hooks.ts";
import type { EventBus } from "../events/bus.ts";
import type { KeypadEnrolment } from "../people/terminal-change.ts";
import type { OpResult, Store, WriteOp } from "../store/contract.ts";
import { type HardwareIdentity, identityDiffers } from "../store/terminal-identity.ts";
import type { Writer } from "../store/writer.ts";
import { AppError } from "../lib/app-error.ts";
import type { WarnLimiter } from "../obs/warn-limiter.ts";
import type { AccessLive } from "./access-live.ts";
import { splitRecords } from "./ingest.ts";
import { type MessageRateLimit, type NewTerminalRate, TokenBucket } from "./rate-limit.ts";
import type { TerminalRegistry } from "./registry.ts";

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

/** Consecutive undecodable frames after which a socket is closed. */
const MAX_GARBAGE = 10;

/** Messages a terminal starts; a `cmd` frame with any other name may be an answer to our command. */
const TERMINAL_MESSAGES = new Set(["reg", "sendlog", "senduser", "sendqrcode"]);

export const REFUSAL = {
  pending: "Waiting for approval on the server",
  blocked: "Blocked by the server administrator",
  storage: "Server storage unavailable, retrying",
  invalid: "Invalid registration",
  busy: "Server busy, retrying",
  identity: "Hardware differs from the approved terminal",
} as const;

export class TerminalConnection {
  readonly sessionId: string;
  readonly remoteAddr: string;
  readonly path: string;
  #socket: TerminalSocket;
  #d: ConnectionDeps;
  #sn: string | null = null;
  /** The sn this socket first asked to register as: a socket speaks for one terminal only. */
  #boundSn: string | null = null;
  #devinfoKey = "";
  /** The hardware identity this socket registered with: a socket speaks for one unit only. */
  #identity: HardwareIdentity = { cpusn: null, mac: null };
  #nosenduser = false;
  #garbage = 0;
  #closed = false;
  /** Why the server closed this socket, when it did. */
  #closedBy: string | null = null;
  #bucket: TokenBucket | null;
  #overRate = false;
  lastInbound: number;
  probeSentAt: number | null = null;

  constructor(socket: TerminalSocket, deps: ConnectionDeps, info: { sessionId: string; remoteAddr: string; path: string }) {
    this.#socket = socket;
    this.#d = deps;
    this.sessionId = info.sessionId;
    this.remoteAddr = info.remoteAddr;
    this.path = info.path;
    this.lastInbound = deps.now();
    this.#bucket = deps.messageRate ? new TokenBucket(deps.messageRate, this.lastInbound) : null;
  }

  /** The registered serial number, or null before a successful `reg`. */
  get sn(): string | null {
    return this.#sn;
  }

  async onFrame(data: string | Uint8Array): Promise<void> {
    const now = this.#d.now();
    this.lastInbound = now;
    if (this.#sn) this.#d.registry.touch(this.#sn, now);
    // Taken before decoding: unreadable frames and answers cost the server work too.
    const allowed = this.#bucket === null || this.#bucket.take(now);
    if (allowed) this.#overRate = false;
    const frame = decodeFrame(data);
    if (!frame.ok) {
      if (!allowed) this.#noteOverRate(null);
      this.#garbage++;
      this.#warn({ remote: this.remoteAddr, error: frame.error, bytes: data.length }, "unreadable frame");
      if (this.#garbage >= MAX_GARBAGE) this.close(4002, "too many unreadable frames");
      return;
    }
    this.#garbage = 0;
    if (!allowed) {
      // The answer to the command in flight still goes through: there is one per command the server
      // sent, so the server's own sending bounds them, and dropping it would stall a paged transfer or
      // a push (each answer times out and is sent again) for as long as the terminal stays busy.
      if ((frame.kind === "ret" || !TERMINAL_MESSAGES.has(frame.name)) && this.#answersInflight(frame.name, frame.body, frame.raw)) return;
      this.#noteOverRate(frame.name);
      // Anything else that answers gets none; a command is refused so the terminal keeps its data.
      return frame.kind === "cmd" ? this.#refuseOverRate(frame.name, frame.body) : undefined;
    }
    // Firmware that answers with `cmd` instead of `ret` (PROTOCOL.md §2/§6).
    if (frame.kind === "cmd" && !TERMINAL_MESSAGES.has(frame.name) && this.#answersInflight(frame.name, frame.body, frame.raw)) return;
    if (frame.kind === "ret") return this.#onAnswer(frame.name, frame.body, frame.raw);
    switch (frame.name) {
      case "reg":
        return this.#onReg(frame.body);
      case "sendlog":
        return this.#onSendlog(frame.body, frame.raw);
      case "senduser":
        return this.#onSenduser(frame.body, frame.raw);
      case "sendqrcode":
        return this.#onQrcode(frame.body);
      default:
        this.#warn({ cmd: frame.name }, "unknown terminal message");
        this.#send(failure(frame.name));
    }
  }

  /** A frame over the message rate: counted, and the first of a run logged. `cmd` is null for an unreadable frame. */
  #noteOverRate(cmd: string | null) {
    this.#d.messageRate?.onRefused();
    if (!this.#overRate) {
      this.#overRate = true;
      this.#warn({ remote: this.remoteAddr, cmd, limit: this.#d.messageRate?.perSecond }, "terminal over its message rate; answering result:false");
    }
  }

  /** Over the message rate: refused so the terminal keeps its data and retries later. */
  #refuseOverRate(name: string, body: Record<string, unknown>) {
    if (name === "reg") return this.#send(regRefused(REFUSAL.busy));
    if (name === "sendlog") return this.#send(sendlogAnswer(false, body.count, body.logindex, this.#cloudtime()));
    this.#send(failure(name));
  }

  /**
   * The socket closed (either side): one line says why. Only the live session may mark the
   * terminal offline. `cause` is what the gateway saw (frame too large, send buffer full).
   */
  onClose(code: number, reason: string, cause?: string) {
    this.#closed = true;
    const sn = this.#sn;
    const why = cause ?? this.#closedBy ?? (code === 1000 || code === 1001 || code === 1005 ? "closed by the terminal" : `connection lost (code ${code})`);
    const by = cause !== undefined || this.#closedBy !== null ? "server" : "terminal";
    if (!sn) {
      // Sockets that never registered (scanners, a refused unit retrying) are many: limited per address.
      this.#warn({ remote: this.remoteAddr, regSn: this.#boundSn, code, why, by }, "connection closed before registration", "info");
      return;
    }
    const live = this.#d.registry.release(sn, this);
    this.#d.commands.closed(sn, this);
    this.#d.log.info({ sn, remote: this.remoteAddr, code, reason, why, by, live }, "terminal disconnected");
    if (live) {
      this.#d.bus.emit("terminal-offline", { sn });
      this.#markOffline(sn);
    }
  }

  /** Guarded by the session id in the store: never touches a newer socket's session. */
  #markOffline(sn: string) {
    this.#d.writer.submit({ type: "terminal-offline", sn, at: this.#d.now(), sessionId: this.sessionId }).catch(() => {
      // Startup marks every terminal offline again; a lost offline mark heals there.
    });
  }

  close(code: number, reason: string) {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedBy = reason;
    // Its close event comes later: nothing more may be sent to this socket meanwhile.
    if (this.#sn) this.#d.commands.closed(this.#sn, this);
    this.#socket.close(code, reason);
  }

  /** Keep-alive: many units ignore WebSocket pings, so probe with the application's `gettime`. */
  probe(now: number) {
    this.probeSentAt = now;
    if (this.#sn) this.#d.commands.probe(this.#sn, this);
  }

  /** Sends a command frame; false when the socket is already closed. */
  deliver(frame: object): boolean {
    if (this.#closed) return false;
    this.#send(frame);
    return true;
  }

  /** A warning about this terminal (by sn, else by address), within the terminal warning limit; false when it was not written. */
  #warn(fields: Record<string, unknown>, msg: string, level: "warn" | "info" = "warn"): boolean {
    const suppressed = this.#d.warnings.admit(`${this.#sn ?? this.#boundSn ?? this.remoteAddr}\0${msg}`, this.#d.now());
    if (suppressed === null) return false;
    this.#d.log[level]({ sn: this.#sn, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
    return true;
  }

  #send(message: object) {
    if (!this.#closed) this.#socket.send(JSON.stringify(message));
  }

  #cloudtime() {
    return this.#d.clock.format(this.#d.now());
  }

  /** `upload`: the terminal sent it on its own, so it counts against its share of the writer queue. */
  async #commit(op: WriteOp, upload = false): Promise<OpResult> {
    try {
      return await this.#d.writer.submit(op, upload ? this.#sn : null);
    } catch (err) {
      if (err instanceof AppError && err.code === "terminal_share") {
        this.#warn({ remote: this.remoteAddr, error: err.message }, "upload beyond this terminal's share of the writer queue refused (result:false; it resends)");
      }
      return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  async #onReg(body: Record<string, unknown>) {
    const parsed = regMessage.safeParse(body);
    if (!parsed.success) {
      this.#warn({ regSn: typeof body.sn === "string" ? body.sn : null, remote: this.remoteAddr, error: describeError(parsed.error) }, "invalid reg");
      return this.#send(regRefused(REFUSAL.invalid));
    }
    const msg = parsed.data;
    if (this.#boundSn !== null && this.#boundSn !== msg.sn) {
      // Serving two sns on one socket would leave the first online with no socket behind it.
      this.#warn({ sn: this.#boundSn, otherSn: msg.sn, remote: this.remoteAddr }, "reg for another sn on the same socket refused; closing");
      this.#send(regRefused(REFUSAL.invalid));
      return this.close(4003, "a socket registers one terminal");
    }
    this.#boundSn = msg.sn;
    const identity: HardwareIdentity = { cpusn: msg.cpusn || null, mac: msg.devinfo?.mac || null };
    if (this.#sn !== null && identityDiffers(this.#identity, identity)) {
      // Other hardware on a registered socket: a heartbeat must not carry it past the identity check.
      this.#warn({ remote: this.remoteAddr, cpusn: identity.cpusn, mac: identity.mac }, "reg with other hardware on a registered socket refused; closing");
      this.#send(regRefused(REFUSAL.identity));
      return this.close(4003, "a socket registers one terminal");
    }
    const devinfoKey = msg.devinfo ? JSON.stringify({ ...msg.devinfo, time: undefined }) : "";
    if (this.#sn === msg.sn) {
      this.#identity = { cpusn: this.#identity.cpusn ?? identity.cpusn, mac: this.#identity.mac ?? identity.mac };
      // A heartbeat: answer at once, write only when devinfo changed (PROTOCOL.md §2).
      this.#send(regAccepted(this.#cloudtime(), this.#nosenduser));
      if (devinfoKey && devinfoKey !== this.#devinfoKey) {
        this.#devinfoKey = devinfoKey;
        void this.#commit(this.#seenOp(msg.sn, identity.cpusn, msg.devinfo ?? null, this.#d.maxPending));
      }
      return;
    }
    const admitsNew = this.#d.newTerminals.admits(this.remoteAddr, this.#d.now());
    const result = await this.#commit(this.#seenOp(msg.sn, identity.cpusn, msg.devinfo ?? null, admitsNew ? this.#d.maxPending : 0));
    if (result.ok && result.approval === "pending" && result.inserted === 1) this.#d.newTerminals.charge(this.remoteAddr, this.#d.now());
    if (this.#closed) {
      // The socket went away while its registration was committing: that commit marked it online.
      if (result.ok) this.#markOffline(msg.sn);
      return;
    }
    if (!result.ok) return this.#send(regRefused(REFUSAL.storage));
    if (result.pendingFull) {
      if (admitsNew) this.#warn({ sn: msg.sn, remote: this.remoteAddr, limit: this.#d.maxPending }, "pending list full: new terminal refused and not stored (approve or block the pending ones)");
      else this.#warn({ sn: msg.sn, remote: this.remoteAddr }, "too many new terminals from this address: refused and not stored");
      return this.#send(regRefused(REFUSAL.pending));
    }
    if (result.identityMismatch) {
      this.#identityMismatch(msg.sn, identity, result.identityMismatch);
      if (result.identityMismatch === "refused") return this.#send(regRefused(REFUSAL.identity));
    }
    if (result.approval !== "approved") {
      this.#warn({ sn: msg.sn, remote: this.remoteAddr, approval: result.approval }, "terminal refused");
      this.#d.bus.emit("terminal-refused", { sn: msg.sn, approval: result.approval ?? "pending" });
      return this.#send(regRefused(result.approval === "blocked" ? REFUSAL.blocked : REFUSAL.pending));
    }
    this.#sn = msg.sn;
    this.#identity = identity;
    this.#devinfoKey = devinfoKey;
    const displaced = this.#d.registry.claim(msg.sn, this);
    displaced?.close(4001, "replaced by a newer connection");
    this.#d.log.info({ sn: msg.sn, remote: this.remoteAddr, path: this.path, replaced: displaced !== undefined }, "terminal connected");
    this.#nosenduser = result.nosenduser ?? false;
    this.#send(regAccepted(this.#cloudtime(), this.#nosenduser));
    this.#d.bus.emit("terminal-online", { sn: msg.sn, remoteAddr: this.remoteAddr });
    this.#d.commands.registered(msg.sn, this, msg.devinfo?.time);
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

  async #onSendlog(body: Record<string, unknown>, raw: Record<string, unknown>) {
    const sn = this.#sn;
    if (!sn) return this.#send(failure("sendlog"));
    const parsed = sendlogMessage.safeParse(body);
    let op: WriteOp;
    let door: { access: 0 | 1; message: string } | null = null;
    if (parsed.success) {
      const rawRecords = Array.isArray(raw.record) ? raw.record : [];
      const { punches, quarantine } = splitRecords(parsed.data.record, rawRecords, this.#d.clock, "sendlog");
      if (quarantine.length > 0) this.#warn({ quarantined: quarantine.length, reason: quarantine[0]?.reason }, "records quarantined");
      // From memory, before the commit: a refused punch is stored marked with its reason.
      door = this.#d.access.decidePunches(sn, punches);
      op = { type: "punches", sn, at: this.#d.now(), punches, quarantine };
    } else {
      // Nothing in it can be read as records; keep the whole frame for the admin to see.
      const reason = describeError(parsed.error);
      this.#warn({ reason }, "sendlog quarantined whole");
      op = { type: "quarantine", sn, at: this.#d.now(), entries: [{ kind: "sendlog", raw: JSON.stringify(raw), reason }] };
    }
    const result = await this.#commit(op, true);
    this.#send(sendlogAnswer(result.ok, body.count, body.logindex, this.#cloudtime(), door ?? undefined));
    if (result.ok) {
      this.#d.bus.emit("records-committed", { sn, inserted: result.inserted, duplicates: result.duplicates, quarantined: result.quarantined });
    }
  }

  async #onSenduser(body: Record<string, unknown>, raw: Record<string, unknown>) {
    const sn = this.#sn;
    if (!sn) return this.#send(failure("senduser"));
    const parsed = senduserMessage.safeParse(body);
    let op: WriteOp;
    if (parsed.success) {
      const m = parsed.data;
      op = {
        type: "credential", sn, at: this.#d.now(), enrollid: m.enrollid, name: m.name, admin: m.admin, backupnum: m.backupnum, data: m.record,
        remoteAddr: this.remoteAddr, via: "senduser", enrolment: this.#d.keypadEnrolment,
      };
    } else {
      const reason = describeError(parsed.error);
      this.#warn({ reason }, "senduser quarantined");
      op = { type: "quarantine", sn, at: this.#d.now(), entries: [{ kind: "senduser", raw: JSON.stringify(raw), reason }] };
    }
    const result = await this.#commit(op, true);
    // Held or ignored, it is answered as stored: it is, as a held change or an audit entry.
    this.#send(senduserAnswer(result.ok, this.#cloudtime()));
    if (!result.ok || !parsed.success) return;
    const { enrollid, backupnum } = parsed.data;
    if (result.terminalChange === "held" || result.terminalChange === "ignored") {
      this.#warn({ remote: this.remoteAddr, enrollid, backupnum, outcome: result.terminalChange }, "person change from a terminal not applied (held for an admin or ignored; see the audit log)");
      return;
    }
    this.#d.commands.enrolled(sn, enrollid, backupnum);
  }

  async #onQrcode(body: Record<string, unknown>) {
    if (!this.#sn) return this.#send(failure("sendqrcode"));
    const parsed = sendqrcodeMessage.safeParse(body);
    if (!parsed.success) return this.#send(qrcodeAnswer(false, 0, "", "Unreadable code"));
    // A QR code is a credential the server issued, never an enrollid: "21" opens nothing.
    const now = this.#d.now();
    const d = this.#d.access.decideQr(this.#sn, parsed.data.record, this.#d.clock.format(now), now);
    this.#send(qrcodeAnswer(d.access === 1, d.enrollid ?? 0, d.name, d.access === 1 && d.name ? `${d.message} ${d.name}` : d.message));
  }

  #onAnswer(name: string, body: Record<string, unknown>, raw: Record<string, unknown>) {
    if (this.#answersInflight(name, body, raw)) return;
    this.#d.log.debug({ sn: this.#sn, ret: name, result: body.result }, "answer with no command in flight");
  }

  /** Hands a frame to the command engine; true when it answered what is in flight there. */
  #answersInflight(name: string, body: Record<string, unknown>, raw: Record<string, unknown>): boolean {
    // Any gettime answer shows the unit alive: the next silence may be probed again.
    if (name === "gettime") this.probeSentAt = null;
    return this.#sn !== null && this.#d.commands.answer(this.#sn, this, name, body, raw);
  }
}
