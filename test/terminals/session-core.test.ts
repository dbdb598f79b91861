/**
 * The pure session core (src/terminals/session-core.ts): PROTOCOL.md §2–3 by table, and by
 * property over random frame sequences with random outcomes for what the executor feeds back
 * (whether the command engine took an answer, how a registration's and an upload's commit ended).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Frame, SiteClock } from "../../src/protocol/index.ts";
import {
  initialSession,
  MAX_GARBAGE,
  REFUSAL,
  type RegOutcome,
  type SessionConfig,
  type SessionEffect,
  type SessionInput,
  type SessionState,
  step,
} from "../../src/terminals/session-core.ts";

const clock = new SiteClock("UTC");
const RATE = { perSecond: 5, burst: 10 };
const config: SessionConfig = { clock, messageRate: RATE };
const T0 = Date.UTC(2026, 0, 1);

const frame = (body: Record<string, unknown>): Frame => {
  if (typeof body.ret === "string") return { ok: true, kind: "ret", name: body.ret, body, raw: body };
  return { ok: true, kind: "cmd", name: String(body.cmd), body, raw: body };
};
const inFrame = (body: Record<string, unknown>): SessionInput => ({ kind: "frame", frame: frame(body), bytes: JSON.stringify(body).length });
const garbage: SessionInput = { kind: "frame", frame: { ok: false, error: "frame is not JSON" }, bytes: 3 };
const reg = (sn: string, extra: Record<string, unknown> = {}) => inFrame({ cmd: "reg", sn, ...extra });
const sendlog = { cmd: "sendlog", count: 1, logindex: 7, record: [{ enrollid: 1, time: "2026-01-01 08:00:00", mode: 1, inout: 0, event: 0 }] };
const approved: RegOutcome = { ok: true, approval: "approved" };

/** Runs inputs through the core, answering the executor's questions as `env` says. */
function run(inputs: SessionInput[], env: { answered?: boolean; outcome?: RegOutcome; commitOk?: boolean } = {}, start = initialSession(config, T0)) {
  let state = start;
  const effects: SessionEffect[] = [];
  const feed = (input: SessionInput, now: number) => {
    const r = step(state, input, now);
    state = r.state;
    for (const e of r.effects) {
      effects.push(e);
      if (e.type === "offer-answer" && !env.answered) feed({ kind: "unanswered", frame: e.frame, allowed: e.allowed }, now);
      if (e.type === "register") feed({ kind: "registered", reg: e.reg, outcome: env.outcome ?? approved, admitsNew: true, maxPending: 1000 }, now);
      if (e.type === "upload") feed({ kind: "uploaded", name: e.name, body: e.body, ok: env.commitOk ?? true }, now);
    }
  };
  inputs.forEach((input, i) => feed(input, T0 + i));
  return { state, effects, sends: effects.flatMap((e) => (e.type === "send" ? [e.message as Record<string, unknown>] : [])) };
}

describe("table", () => {
  test("reg first: an upload, a QR code or an answer before a registration is refused and nothing is stored", () => {
    const r = run([inFrame(sendlog), inFrame({ cmd: "senduser", enrollid: 1 }), inFrame({ cmd: "sendqrcode", record: "x" }), inFrame({ ret: "getuserlist", result: true })]);
    expect(r.sends).toEqual([
      { ret: "sendlog", result: false, reason: 1 },
      { ret: "senduser", result: false, reason: 1 },
      { ret: "sendqrcode", result: false, reason: 1 },
    ]);
    expect(r.effects.filter((e) => ["upload", "qrcode", "offer-answer", "register"].includes(e.type))).toEqual([]);
  });

  test("a new reg is answered after its commit; the same reg again is a heartbeat answered at once", () => {
    const r = run([reg("T1"), reg("T1")]);
    expect(r.effects.map((e) => e.type)).toEqual(["register", "claim", "send", "online", "touch", "send"]);
    expect(r.sends).toEqual([
      { ret: "reg", result: true, cloudtime: "2026-01-01 00:00:00", nosenduser: false },
      { ret: "reg", result: true, cloudtime: "2026-01-01 00:00:00", nosenduser: false },
    ]);
    expect(r.state.sn).toBe("T1");
  });

  test.each([
    [{ ok: false }, REFUSAL.storage],
    [{ ok: true, approval: "pending" }, REFUSAL.pending],
    [{ ok: true, approval: "blocked" }, REFUSAL.blocked],
    [{ ok: true, approval: "approved", pendingFull: true }, REFUSAL.pending],
    [{ ok: true, approval: "approved", identityMismatch: "refused" }, REFUSAL.identity],
  ] as [RegOutcome, string][])("a registration whose commit says %j is refused: %s", (outcome, reason) => {
    const r = run([reg("T1"), inFrame(sendlog)], { outcome });
    expect(r.sends).toEqual([{ ret: "reg", result: false, reason }, { ret: "sendlog", result: false, reason: 1 }]);
    expect(r.state.sn).toBeNull();
  });

  test("a reg for another sn on the same socket is refused and closes 4003", () => {
    const r = run([reg("T1"), reg("T2"), reg("T1")]);
    expect(r.sends.at(-1)).toEqual({ ret: "reg", result: false, reason: REFUSAL.invalid });
    expect(r.effects.filter((e) => e.type === "close-socket")).toEqual([{ type: "close-socket", code: 4003, reason: "a socket registers one terminal" }]);
    expect(r.sends).toHaveLength(2);
  });

  test("other hardware on a registered socket is refused and closes 4003", () => {
    const r = run([reg("T1", { cpusn: "A" }), reg("T1", { cpusn: "B" })]);
    expect(r.sends.at(-1)).toEqual({ ret: "reg", result: false, reason: REFUSAL.identity });
    expect(r.state.closed).toBe(true);
  });

  test(`${MAX_GARBAGE} unreadable frames in a row close 4002; a readable one in between resets the count`, () => {
    const nine = Array<SessionInput>(MAX_GARBAGE - 1).fill(garbage);
    expect(run([...nine, reg("T1"), ...nine]).state.closed).toBe(false);
    const r = run([...nine, garbage]);
    expect(r.effects.filter((e) => e.type === "close-socket")).toEqual([{ type: "close-socket", code: 4002, reason: "too many unreadable frames" }]);
  });

  test("an upload is acknowledged only by its commit: result:true when it committed, result:false when not", () => {
    const ok = run([reg("T1"), inFrame(sendlog)]);
    expect(ok.sends.at(-1)).toEqual({ ret: "sendlog", result: true, count: 1, logindex: 7, cloudtime: "2026-01-01 00:00:00", access: 1 });
    const failed = run([reg("T1"), inFrame(sendlog)], { commitOk: false });
    expect(failed.sends.at(-1)).toEqual({ ret: "sendlog", result: false, reason: 1, count: 1, logindex: 7 });
  });

  test("over the rate a reg is told busy and a sendlog refused, but the answer to the command in flight still goes to the engine", () => {
    const registered = run([reg("T1")]).state;
    const burst = Array<SessionInput>(RATE.burst).fill(inFrame({ cmd: "reg", sn: "T1" }));
    const flooded = run(burst, {}, registered).state;
    const r = run([reg("T1"), inFrame(sendlog), inFrame({ ret: "getuserlist", result: true })], { answered: true }, flooded);
    expect(r.sends).toEqual([
      { ret: "reg", result: false, reason: REFUSAL.busy },
      { ret: "sendlog", result: false, reason: 1, count: 1, logindex: 7 },
    ]);
    expect(r.effects.filter((e) => e.type === "offer-answer")).toHaveLength(1);
    expect(r.effects.filter((e) => e.type === "count-over-rate")).toHaveLength(2);
    // The run of frames over the rate was logged once, when it began during the flood.
    expect(r.effects.filter((e) => e.type === "warn")).toHaveLength(0);
  });

  test("silence: probed after probe-after (once per silence), closed 4000 after the time-out", () => {
    let s = run([reg("T1")]).state;
    const tick = (at: number) => {
      const r = step(s, { kind: "tick", probeAfterMs: 1000, timeoutMs: 3000 }, at);
      s = r.state;
      return r.effects;
    };
    expect(tick(T0 + 500)).toEqual([]);
    expect(tick(T0 + 1500)).toEqual([{ type: "probe", sn: "T1" }]);
    expect(tick(T0 + 2000)).toEqual([]);
    // A gettime answer shows it alive: the next silence is probed again.
    s = step(s, inFrame({ ret: "gettime", result: true }), T0 + 2100).state;
    expect(tick(T0 + 3200)).toEqual([{ type: "probe", sn: "T1" }]);
    expect(tick(T0 + 5200)).toEqual([
      { type: "detach", sn: "T1" },
      { type: "close-socket", code: 4000, reason: "no frame within the connection time-out (3 s)" },
    ]);
  });

  test("the socket's close releases a registered sn once, with who closed it", () => {
    const r = run([reg("T1"), { kind: "close", code: 4001, reason: "replaced by a newer connection" }, { kind: "socket-closed", code: 4001, reason: "replaced by a newer connection" }]);
    expect(r.effects.filter((e) => e.type === "release")).toEqual([
      { type: "release", sn: "T1", code: 4001, reason: "replaced by a newer connection", why: "replaced by a newer connection", by: "server" },
    ]);
    const never = run([reg("T1"), { kind: "socket-closed", code: 1000, reason: "" }], { outcome: { ok: true, approval: "pending" } });
    expect(never.effects.filter((e) => e.type === "release")).toEqual([]);
    expect(never.effects.at(-1)).toMatchObject({ type: "warn", msg: "connection closed before registration", level: "info", fields: { why: "closed by the terminal", by: "terminal" } });
  });

  test("a socket closed while its reg committed is marked offline and gets no answer", () => {
    const s0 = initialSession(config, T0);
    const r1 = step(s0, reg("T1"), T0);
    const register = r1.effects.find((e) => e.type === "register");
    if (register?.type !== "register") throw new Error("no register effect");
    const closed = step(r1.state, { kind: "socket-closed", code: 1006, reason: "" }, T0 + 1).state;
    const r2 = step(closed, { kind: "registered", reg: register.reg, outcome: approved, admitsNew: true, maxPending: 1000 }, T0 + 2);
    expect(r2.effects).toEqual([{ type: "mark-offline", sn: "T1" }]);
  });
});

// Random sessions: frames of every kind, garbage, ticks and closes, at random times, with random outcomes.
const snArb = fc.constantFrom("T1", "T2");
const bodyArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  snArb.map((sn) => ({ cmd: "reg", sn })),
  fc.record({ cmd: fc.constant("reg"), sn: snArb, cpusn: fc.constantFrom("A", "B") }),
  fc.constant({ cmd: "reg", sn: "" }),
  fc.constant(sendlog),
  fc.constant({ cmd: "senduser", enrollid: 1, backupnum: 0, record: "x" }),
  fc.constant({ cmd: "sendqrcode", record: "q" }),
  fc.constantFrom("getuserlist", "gettime", "setuserinfo").map((ret) => ({ ret, result: true })),
  fc.constant({ cmd: "getuserlist", result: true }),
  fc.constant({ cmd: "whatever" }),
);
const inputArb: fc.Arbitrary<{ input: SessionInput; dt: number }> = fc.record({
  dt: fc.integer({ min: 0, max: 2000 }),
  input: fc.oneof(
    { weight: 8, arbitrary: bodyArb.map(inFrame) },
    { weight: 2, arbitrary: fc.constant(garbage) },
    { weight: 1, arbitrary: fc.constant<SessionInput>({ kind: "tick", probeAfterMs: 1000, timeoutMs: 5000 }) },
    { weight: 1, arbitrary: fc.constant<SessionInput>({ kind: "close", code: 4001, reason: "replaced" }) },
    { weight: 1, arbitrary: fc.constant<SessionInput>({ kind: "socket-closed", code: 1000, reason: "" }) },
  ),
});
const outcomeArb = fc.constantFrom<RegOutcome>(approved, { ok: false }, { ok: true, approval: "pending" }, { ok: true, approval: "blocked" }, { ok: true, approval: "approved", identityMismatch: "accepted" });
const envArb = fc.record({ answered: fc.boolean(), commitOk: fc.boolean(), outcome: outcomeArb });

interface Trace {
  /** Each step's input with its effects (the feedback steps included). */
  steps: { input: SessionInput; before: SessionState; after: SessionState; effects: SessionEffect[]; now: number }[];
}

function trace(seq: { input: SessionInput; dt: number }[], env: { answered: boolean; commitOk: boolean; outcome: RegOutcome }): Trace {
  let state = initialSession(config, T0);
  let now = T0;
  const steps: Trace["steps"] = [];
  const feed = (input: SessionInput) => {
    const before = state;
    const r = step(state, input, now);
    state = r.state;
    steps.push({ input, before, after: state, effects: r.effects, now });
    for (const e of r.effects) {
      if (e.type === "offer-answer" && !env.answered) feed({ kind: "unanswered", frame: e.frame, allowed: e.allowed });
      if (e.type === "register") feed({ kind: "registered", reg: e.reg, outcome: env.outcome, admitsNew: true, maxPending: 1000 });
      if (e.type === "upload") feed({ kind: "uploaded", name: e.name, body: e.body, ok: env.commitOk });
    }
  };
  for (const { input, dt } of seq) {
    now += dt;
    feed(input);
  }
  return { steps };
}

const sendsOf = (effects: SessionEffect[]) => effects.flatMap((e) => (e.type === "send" ? [e.message as Record<string, unknown>] : []));
const seqArb = fc.array(inputArb, { maxLength: 80, size: "max" });

describe("properties", () => {
  test("no acknowledgement before commit: a positive sendlog/senduser answer comes only from a committed upload", () => {
    fc.assert(
      fc.property(seqArb, envArb, (seq, env) => {
        for (const s of trace(seq, env).steps) {
          const positive = sendsOf(s.effects).filter((m) => (m.ret === "sendlog" || m.ret === "senduser") && m.result === true);
          if (positive.length > 0) expect(s.input.kind === "uploaded" && s.input.ok).toBe(true);
        }
      }),
    );
  });

  test("reg first: nothing is uploaded, decided or offered to the command engine for a socket that is not registered", () => {
    fc.assert(
      fc.property(seqArb, envArb, (seq, env) => {
        for (const s of trace(seq, env).steps) {
          if (s.before.sn === null && s.input.kind === "frame") {
            expect(s.effects.filter((e) => ["upload", "qrcode", "offer-answer", "probe", "store-devinfo"].includes(e.type))).toEqual([]);
          }
        }
      }),
    );
  });

  test("one terminal per socket: the bound sn and the registered sn never change once set, and the socket is closed at most once", () => {
    fc.assert(
      fc.property(seqArb, envArb, (seq, env) => {
        const t = trace(seq, env);
        for (const s of t.steps) {
          if (s.before.boundSn !== null) expect(s.after.boundSn).toBe(s.before.boundSn);
          if (s.before.sn !== null) expect(s.after.sn).toBe(s.before.sn);
          if (s.before.closed) expect(sendsOf(s.effects)).toEqual([]);
        }
        expect(t.steps.flatMap((s) => s.effects).filter((e) => e.type === "close-socket").length).toBeLessThanOrEqual(1);
      }),
    );
  });

  test("the message rate holds: the frames let through never exceed burst + rate × elapsed time", () => {
    fc.assert(
      fc.property(seqArb, envArb, (seq, env) => {
        let allowed = 0;
        for (const s of trace(seq, env).steps) {
          if (s.input.kind !== "frame") continue;
          const offered = s.effects.find((e) => e.type === "offer-answer");
          const over = offered?.type === "offer-answer" ? !offered.allowed : s.effects.some((e) => e.type === "count-over-rate");
          if (!over) allowed++;
          expect(allowed).toBeLessThanOrEqual(RATE.burst + ((s.now - T0) / 1000) * RATE.perSecond + 1e-9);
        }
      }),
    );
  });

  test("any input sequence keeps the state bounded: garbage under its limit, tokens within the burst, a small state", () => {
    fc.assert(
      fc.property(seqArb, envArb, (seq, env) => {
        for (const s of trace(seq, env).steps) {
          const st = s.after;
          expect(st.garbage).toBeLessThanOrEqual(MAX_GARBAGE);
          expect(st.bucket?.tokens ?? 0).toBeLessThanOrEqual(RATE.burst);
          const { config: _, ...data } = st;
          expect(JSON.stringify(data).length).toBeLessThan(1024);
        }
      }),
    );
  });
});
