/**
 * The rules of one terminal session (PROTOCOL.md §2–3) as a pure function: `step(state, input, now)`
 * returns the next state and the effects to run, and does no I/O and sets no timer. The socket code
 * (connection.ts) only executes the effects and feeds back what they produced (a commit's result,
 * whether a frame answered the command in flight) as further inputs.
 *
 * What it decides: reg first (nothing is stored or acknowledged for an unregistered socket); one sn
 * and one hardware identity per socket; a heartbeat `reg` answered at once; the per-socket message
 * rate (every frame takes a token; over it, only the answer to the command in flight goes through);
 * consecutive unreadable frames close the socket; silence is probed, then closed; an upload is
 * answered only from its commit's result.
 */
import { describeError, failure, type Frame, regAccepted, regMessage, regRefused, sendlogAnswer, senduserAnswer } from "../protocol/index.ts";
import { type HardwareIdentity, identityDiffers } from "../store/terminal-identity.ts";
import { fullBucket, takeToken } from "./rate-limit.ts";
import {
  type DecodedFrame,
  MAX_GARBAGE,
  REFUSAL,
  type SessionConfig,
  type SessionEffect,
  type SessionInput,
  type SessionState,
  type Step,
  TERMINAL_MESSAGES,
} from "./session-types.ts";

export * from "./session-types.ts";

export function initialSession(config: SessionConfig, now: number): SessionState {
  return {
    config,
    sn: null,
    boundSn: null,
    identity: { cpusn: null, mac: null },
    devinfoKey: "",
    nosenduser: false,
    garbage: 0,
    closed: false,
    closedBy: null,
    bucket: config.messageRate ? fullBucket(config.messageRate, now) : null,
    overRate: false,
    lastInbound: now,
    probeSentAt: null,
  };
}

export function step(state: SessionState, input: SessionInput, now: number): Step {
  const s = { ...state };
  const fx: SessionEffect[] = [];
  switch (input.kind) {
    case "frame":
      onFrame(s, fx, input.frame, input.bytes, now);
      break;
    case "unanswered":
      onUnanswered(s, fx, input.frame, input.allowed);
      break;
    case "registered":
      onRegistered(s, fx, input, now);
      break;
    case "uploaded": {
      const cloudtime = s.config.clock.format(now);
      const b = input.body;
      send(s, fx, input.name === "sendlog" ? sendlogAnswer(input.ok, b.count, b.logindex, cloudtime, input.door) : senduserAnswer(input.ok, cloudtime));
      break;
    }
    case "tick": {
      const silent = now - s.lastInbound;
      if (silent >= input.timeoutMs) {
        close(s, fx, 4000, `no frame within the connection time-out (${Math.round(input.timeoutMs / 1000)} s)`);
      } else if (s.sn && silent >= input.probeAfterMs && (s.probeSentAt === null || s.probeSentAt < s.lastInbound)) {
        s.probeSentAt = now;
        fx.push({ type: "probe", sn: s.sn });
      }
      break;
    }
    case "close":
      close(s, fx, input.code, input.reason);
      break;
    case "socket-closed":
      onSocketClosed(s, fx, input.code, input.reason, input.cause);
      break;
  }
  return { state: s, effects: fx };
}

function send(s: SessionState, fx: SessionEffect[], message: object) {
  if (!s.closed) fx.push({ type: "send", message });
}

function warn(fx: SessionEffect[], msg: string, fields: Record<string, unknown>, level: "warn" | "info" = "warn") {
  fx.push({ type: "warn", msg, fields, level });
}

function close(s: SessionState, fx: SessionEffect[], code: number, reason: string) {
  if (s.closed) return;
  s.closed = true;
  s.closedBy = reason;
  // Its close event comes later: nothing more may be sent to this socket meanwhile.
  if (s.sn) fx.push({ type: "detach", sn: s.sn });
  fx.push({ type: "close-socket", code, reason });
}

function onFrame(s: SessionState, fx: SessionEffect[], frame: Frame, bytes: number, now: number) {
  s.lastInbound = now;
  if (s.sn) fx.push({ type: "touch", sn: s.sn });
  // Taken before decoding: unreadable frames and answers cost the server work too.
  let allowed = true;
  if (s.bucket && s.config.messageRate) {
    const t = takeToken(s.bucket, s.config.messageRate, now);
    s.bucket = t.bucket;
    allowed = t.allowed;
  }
  if (allowed) s.overRate = false;
  if (!frame.ok) {
    if (!allowed) noteOverRate(s, fx, null);
    s.garbage++;
    warn(fx, "unreadable frame", { error: frame.error, bytes });
    if (s.garbage >= MAX_GARBAGE) close(s, fx, 4002, "too many unreadable frames");
    return;
  }
  s.garbage = 0;
  // Any gettime frame shows the unit alive: the next silence may be probed again.
  const mayAnswer = frame.kind === "ret" || !TERMINAL_MESSAGES.has(frame.name);
  if (mayAnswer) {
    if (frame.name === "gettime") s.probeSentAt = null;
    // The answer to the command in flight goes through even over the rate: there is one per command
    // the server sent, so the server's own sending bounds them, and dropping it would stall a paged
    // transfer or a push for as long as the terminal stays busy.
    if (s.sn !== null) fx.push({ type: "offer-answer", sn: s.sn, frame, allowed });
    else onUnanswered(s, fx, frame, allowed);
    return;
  }
  if (!allowed) return overRate(s, fx, frame);
  onMessage(s, fx, frame);
}

function onUnanswered(s: SessionState, fx: SessionEffect[], frame: DecodedFrame, allowed: boolean) {
  if (!allowed) return overRate(s, fx, frame);
  if (frame.kind === "ret") return void fx.push({ type: "debug", msg: "answer with no command in flight", fields: { ret: frame.name, result: frame.body.result } });
  onMessage(s, fx, frame);
}

/** Over the rate: counted, and a command refused so the terminal keeps its data and retries later. */
function overRate(s: SessionState, fx: SessionEffect[], frame: DecodedFrame) {
  noteOverRate(s, fx, frame.name);
  if (frame.kind !== "cmd") return;
  if (frame.name === "reg") return send(s, fx, regRefused(REFUSAL.busy));
  if (frame.name === "sendlog") return send(s, fx, sendlogAnswer(false, frame.body.count, frame.body.logindex, s.config.clock.format(s.lastInbound)));
  send(s, fx, failure(frame.name));
}

function noteOverRate(s: SessionState, fx: SessionEffect[], cmd: string | null) {
  fx.push({ type: "count-over-rate" });
  if (!s.overRate) {
    s.overRate = true;
    warn(fx, "terminal over its message rate; answering result:false", { cmd, limit: s.config.messageRate?.perSecond });
  }
}

function onMessage(s: SessionState, fx: SessionEffect[], frame: DecodedFrame) {
  switch (frame.name) {
    case "reg":
      return onReg(s, fx, frame.body);
    case "sendlog":
    case "senduser":
      if (!s.sn) return send(s, fx, failure(frame.name));
      fx.push({ type: "upload", name: frame.name, sn: s.sn, body: frame.body, raw: frame.raw });
      return;
    case "sendqrcode":
      if (!s.sn) return send(s, fx, failure(frame.name));
      fx.push({ type: "qrcode", sn: s.sn, body: frame.body });
      return;
    default:
      warn(fx, "unknown terminal message", { cmd: frame.name });
      send(s, fx, failure(frame.name));
  }
}

function onReg(s: SessionState, fx: SessionEffect[], body: Record<string, unknown>) {
  const parsed = regMessage.safeParse(body);
  if (!parsed.success) {
    warn(fx, "invalid reg", { regSn: typeof body.sn === "string" ? body.sn : null, error: describeError(parsed.error) });
    return send(s, fx, regRefused(REFUSAL.invalid));
  }
  const msg = parsed.data;
  if (s.boundSn !== null && s.boundSn !== msg.sn) {
    // Serving two sns on one socket would leave the first online with no socket behind it.
    warn(fx, "reg for another sn on the same socket refused; closing", { sn: s.boundSn, otherSn: msg.sn });
    send(s, fx, regRefused(REFUSAL.invalid));
    return close(s, fx, 4003, "a socket registers one terminal");
  }
  s.boundSn = msg.sn;
  const identity: HardwareIdentity = { cpusn: msg.cpusn || null, mac: msg.devinfo?.mac || null };
  if (s.sn !== null && identityDiffers(s.identity, identity)) {
    // Other hardware on a registered socket: a heartbeat must not carry it past the identity check.
    warn(fx, "reg with other hardware on a registered socket refused; closing", { cpusn: identity.cpusn, mac: identity.mac });
    send(s, fx, regRefused(REFUSAL.identity));
    return close(s, fx, 4003, "a socket registers one terminal");
  }
  const devinfoKey = msg.devinfo ? JSON.stringify({ ...msg.devinfo, time: undefined }) : "";
  if (s.sn === msg.sn) {
    s.identity = { cpusn: s.identity.cpusn ?? identity.cpusn, mac: s.identity.mac ?? identity.mac };
    // A heartbeat: answer at once, write only when devinfo changed (PROTOCOL.md §2).
    send(s, fx, regAccepted(s.config.clock.format(s.lastInbound), s.nosenduser));
    if (devinfoKey && devinfoKey !== s.devinfoKey) {
      s.devinfoKey = devinfoKey;
      fx.push({ type: "store-devinfo", sn: msg.sn, cpusn: identity.cpusn, devinfo: msg.devinfo ?? null });
    }
    return;
  }
  fx.push({ type: "register", reg: { sn: msg.sn, identity, devinfo: msg.devinfo ?? null, devinfoKey } });
}

function onRegistered(s: SessionState, fx: SessionEffect[], input: Extract<SessionInput, { kind: "registered" }>, now: number) {
  const { reg, outcome, admitsNew } = input;
  if (outcome.ok && outcome.approval === "pending" && outcome.inserted === 1) fx.push({ type: "new-terminal-charged", sn: reg.sn });
  if (s.closed) {
    // The socket went away while its registration was committing: that commit marked it online.
    if (outcome.ok) fx.push({ type: "mark-offline", sn: reg.sn });
    return;
  }
  if (!outcome.ok) return send(s, fx, regRefused(REFUSAL.storage));
  if (outcome.pendingFull) {
    if (admitsNew) warn(fx, "pending list full: new terminal refused and not stored (approve or block the pending ones)", { sn: reg.sn, limit: input.maxPending });
    else warn(fx, "too many new terminals from this address: refused and not stored", { sn: reg.sn });
    return send(s, fx, regRefused(REFUSAL.pending));
  }
  if (outcome.identityMismatch) {
    fx.push({ type: "identity-mismatch", sn: reg.sn, identity: reg.identity, outcome: outcome.identityMismatch });
    if (outcome.identityMismatch === "refused") return send(s, fx, regRefused(REFUSAL.identity));
  }
  if (outcome.approval !== "approved") {
    const approval = outcome.approval === "blocked" ? "blocked" : "pending";
    warn(fx, "terminal refused", { sn: reg.sn, approval: outcome.approval });
    fx.push({ type: "refused", sn: reg.sn, approval: outcome.approval ?? "pending" });
    return send(s, fx, regRefused(approval === "blocked" ? REFUSAL.blocked : REFUSAL.pending));
  }
  s.sn = reg.sn;
  s.identity = reg.identity;
  s.devinfoKey = reg.devinfoKey;
  s.nosenduser = outcome.nosenduser ?? false;
  // The registry slot is taken before the answer, the command engine told after it.
  fx.push({ type: "claim", sn: reg.sn });
  send(s, fx, regAccepted(s.config.clock.format(now), s.nosenduser));
  fx.push({ type: "online", sn: reg.sn, terminalTime: reg.devinfo?.time });
}

function onSocketClosed(s: SessionState, fx: SessionEffect[], code: number, reason: string, cause: string | undefined) {
  s.closed = true;
  const why = cause ?? s.closedBy ?? (code === 1000 || code === 1001 || code === 1005 ? "closed by the terminal" : `connection lost (code ${code})`);
  const by = cause !== undefined || s.closedBy !== null ? "server" : "terminal";
  if (!s.sn) {
    // Sockets that never registered (scanners, a refused unit retrying) are many: limited per address.
    warn(fx, "connection closed before registration", { regSn: s.boundSn, code, why, by }, "info");
    return;
  }
  fx.push({ type: "release", sn: s.sn, code, reason, why, by });
}
