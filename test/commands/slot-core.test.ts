/**
 * The pure command-slot core (src/commands/slot-core.ts): PROTOCOL.md §2 and §4 by table, and by
 * property over random runs in which a model queue plays the store, store steps finish in a random
 * order against random answers, time-outs, probes and drops.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { initialSlot, retryHoldMs, type SlotConfig, type SlotEffect, type SlotInput, type SlotRow, type SlotState, slotStep } from "../../src/commands/slot-core.ts";

const config: SlotConfig = { timeoutMs: 1000, retryBaseMs: 100, retryMaxMs: 800 };
const T0 = 1_000_000;
const row = (id: number, command: string, extra: Partial<SlotRow> = {}): SlotRow => ({ id, command, attempts: 0, maxAttempts: 3, deadline: null, ...extra });

/** Steps inputs in order from one state, collecting every effect. */
function steps(inputs: [SlotInput, number][], start: SlotState = initialSlot(config)) {
  let state = start;
  const effects: SlotEffect[][] = [];
  for (const [input, now] of inputs) {
    const r = slotStep(state, input, now);
    state = r.state;
    effects.push(r.effects);
  }
  return { state, effects };
}

describe("table", () => {
  test("a free slot reads the queue, sends what it finds, and waits for its answer before reading again", () => {
    const getdevinfo = row(1, "getdevinfo");
    const r = steps([
      [{ kind: "pump" }, T0],
      [{ kind: "fetched", row: getdevinfo }, T0],
      [{ kind: "sent", row: { ...getdevinfo, attempts: 1 }, outcome: "delivered" }, T0],
      [{ kind: "pump" }, T0 + 1],
    ]);
    expect(r.effects).toEqual([
      [{ type: "fetch", yieldFirst: false }],
      [{ type: "send", row: getdevinfo, attempt: 1, paged: false }],
      [{ type: "arm", at: T0 + 1000 }],
      [],
    ]);
    expect(r.state.again).toBe(true);
  });

  test("only an answer naming the command in flight completes it, once; getdevlock takes setdevlock (V21 firmware)", () => {
    const inflight = steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: row(1, "getdevlock") }, T0], [{ kind: "sent", row: row(1, "getdevlock", { attempts: 1 }), outcome: "delivered" }, T0]]).state;
    expect(slotStep(inflight, { kind: "answer", name: "getuserlist" }, T0).effects).toEqual([]);
    const first = slotStep(inflight, { kind: "answer", name: "setdevlock" }, T0);
    expect(first.effects).toEqual([{ type: "matched" }, { type: "disarm" }, { type: "take-answer", row: row(1, "getdevlock", { attempts: 1 }) }]);
    expect(slotStep(first.state, { kind: "answer", name: "getdevlock" }, T0).effects).toEqual([{ type: "matched" }]);
  });

  test("a time-out frees the slot, hands the command back, and holds non-urgent commands for a doubling back-off; urgent ones go at once", () => {
    let s = steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: row(1, "settime") }, T0], [{ kind: "sent", row: row(1, "settime", { attempts: 1 }), outcome: "delivered" }, T0]]).state;
    const timedOut = slotStep(s, { kind: "timer" }, T0 + 1000);
    expect(timedOut.effects).toEqual([{ type: "interrupted", row: row(1, "settime", { attempts: 1 }), why: "no answer within 1 s" }, { type: "pump-after" }]);
    s = slotStep(timedOut.state, { kind: "pump" }, T0 + 1000).state;
    const held = slotStep(s, { kind: "fetched", row: row(1, "settime", { attempts: 1 }) }, T0 + 1000);
    expect(held.effects).toEqual([{ type: "wake", at: T0 + 1100 }]);
    s = slotStep(held.state, { kind: "pump" }, T0 + 1000).state;
    expect(slotStep(s, { kind: "fetched", row: row(2, "opendoor") }, T0 + 1000).effects).toEqual([{ type: "send", row: row(2, "opendoor"), attempt: 1, paged: false }]);
    expect([1, 2, 3, 4, 5].map((n) => retryHoldMs(config, n))).toEqual([100, 200, 400, 800, 800]);
  });

  test("an answer ends the hold: after the door command's answer the held command goes at once", () => {
    const s0 = steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: row(1, "settime") }, T0], [{ kind: "sent", row: row(1, "settime", { attempts: 1 }), outcome: "delivered" }, T0], [{ kind: "timer" }, T0 + 1000]]).state;
    expect(s0.holdUntil).toBe(T0 + 1100);
    const r = steps([
      [{ kind: "pump" }, T0 + 1000],
      [{ kind: "fetched", row: row(2, "opendoor") }, T0 + 1000],
      [{ kind: "sent", row: row(2, "opendoor", { attempts: 1 }), outcome: "delivered" }, T0 + 1000],
      [{ kind: "answer", name: "opendoor" }, T0 + 1010],
      [{ kind: "finished", id: 2 }, T0 + 1020],
      [{ kind: "pump" }, T0 + 1020],
      [{ kind: "fetched", row: row(1, "settime", { attempts: 1 }) }, T0 + 1020],
    ], s0);
    expect(r.state.holdUntil).toBe(0);
    expect(r.effects.at(-1)).toEqual([{ type: "send", row: row(1, "settime", { attempts: 1 }), attempt: 2, paged: false }]);
  });

  test("a row past its deadline expires instead of going out", () => {
    const late = row(1, "opendoor", { deadline: T0 });
    expect(steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: late }, T0]]).effects[1]).toEqual([{ type: "expire", row: late }]);
  });

  test("after a reboot nothing goes out for one time-out; then the queue flows", () => {
    const reboot = row(1, "reboot");
    const r = steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: reboot }, T0], [{ kind: "sent", row: reboot, outcome: "delivered" }, T0], [{ kind: "continue" }, T0], [{ kind: "pump" }, T0 + 500]]);
    expect(r.effects.slice(2)).toEqual([[{ type: "wake", at: T0 + 1000 }, { type: "sent-unanswered", row: reboot }], [], [{ type: "wake", at: T0 + 1000 }]]);
    expect(slotStep(r.state, { kind: "pump" }, T0 + 1000).effects).toEqual([{ type: "fetch", yieldFirst: false }]);
  });

  test("a socket that refuses the frame ends the session; a drop interrupts what was on the wire unless its answer is being stored", () => {
    const r = steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: row(1, "getdevinfo") }, T0], [{ kind: "sent", row: row(1, "getdevinfo", { attempts: 1 }), outcome: "undeliverable" }, T0], [{ kind: "pump" }, T0]]);
    expect(r.effects[2]).toEqual([{ type: "requeue-undelivered", row: row(1, "getdevinfo", { attempts: 1 }) }]);
    expect(r.effects[3]).toEqual([]);
    const onWire = steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: row(2, "getdevinfo") }, T0], [{ kind: "sent", row: row(2, "getdevinfo", { attempts: 1 }), outcome: "delivered" }, T0]]).state;
    expect(slotStep(onWire, { kind: "drop", why: "closed" }, T0).effects).toEqual([{ type: "disarm" }, { type: "interrupted", row: row(2, "getdevinfo", { attempts: 1 }), why: "closed" }]);
    const storing = slotStep(onWire, { kind: "answer", name: "getdevinfo" }, T0).state;
    expect(slotStep(storing, { kind: "drop", why: "closed" }, T0).effects).toEqual([{ type: "disarm" }]);
  });

  test("the keep-alive probe takes a free slot only, and its gettime answer frees it", () => {
    const free = initialSlot(config);
    expect(slotStep(free, { kind: "probe" }, T0).effects).toEqual([{ type: "send-probe" }]);
    const probing = slotStep(free, { kind: "probe-sent" }, T0);
    expect(probing.effects).toEqual([{ type: "arm", at: T0 + 1000 }]);
    expect(slotStep(probing.state, { kind: "probe" }, T0).effects).toEqual([]);
    expect(slotStep(probing.state, { kind: "answer", name: "getuserlist" }, T0).effects).toEqual([]);
    expect(slotStep(probing.state, { kind: "answer", name: "gettime" }, T0).effects).toEqual([{ type: "matched" }, { type: "disarm" }, { type: "pump-after" }]);
  });
});

// ---- Properties: the core driven against a model store, store steps completing in a random order.

const COMMANDS = ["getdevinfo", "settime", "getuserlist", "opendoor", "reboot", "setuserinfo"];
const URGENT = new Set(["opendoor", "reboot"]);
type Status = "queued" | "sent" | "done";
interface ModelRow extends SlotRow {
  status: Status;
}

type Event =
  | { t: "pump" }
  | { t: "resolve"; pick: number }
  | { t: "answer"; name: string }
  | { t: "tick"; dt: number }
  | { t: "probe" }
  | { t: "drop" }
  | { t: "queue"; command: string; deadline: number | null };

const eventArb: fc.Arbitrary<Event> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Event>({ t: "pump" }) },
  { weight: 6, arbitrary: fc.nat(5).map((pick): Event => ({ t: "resolve", pick })) },
  { weight: 3, arbitrary: fc.constantFrom(...COMMANDS, "gettime", "other").map((name): Event => ({ t: "answer", name })) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 1500 }).map((dt): Event => ({ t: "tick", dt })) },
  { weight: 1, arbitrary: fc.constant<Event>({ t: "probe" }) },
  { weight: 1, arbitrary: fc.constant<Event>({ t: "drop" }) },
  { weight: 2, arbitrary: fc.record({ command: fc.constantFrom(...COMMANDS), deadline: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null }) }).map((r): Event => ({ t: "queue", command: r.command, deadline: r.deadline === null ? null : T0 + r.deadline })) },
);
const outcomeArb = fc.array(fc.constantFrom<"delivered" | "cancelled" | "undeliverable">("delivered", "delivered", "delivered", "cancelled", "undeliverable"), { minLength: 1, maxLength: 8 });

interface Violation {
  what: string;
}

/** Back-off longer than the answer time-out, so that a hold outlasts several events. */
const modelConfig: SlotConfig = { timeoutMs: 1000, retryBaseMs: 3000, retryMaxMs: 12_000 };

/** Runs events against the core; returns the violations of the rules it checks as it goes. */
function simulate(events: Event[], outcomes: ("delivered" | "cancelled" | "undeliverable")[]) {
  let state = initialSlot<ModelRow>(modelConfig);
  let now = T0;
  const rows: ModelRow[] = [];
  const pending: SlotInput<ModelRow>[] = [];
  /** What is on the wire awaiting its answer: a command id, "probe", or null. */
  let wire: number | "probe" | null = null;
  let sendOutstanding = false;
  let armedAt: number | null = null;
  const wakes: number[] = [];
  const violations: Violation[] = [];
  const taken = new Map<number, number>();
  let outcomeIndex = 0;
  let answerFor: string | null = null;
  let maxStateSize = 0;

  const feed = (input: SlotInput<ModelRow>) => {
    const r = slotStep(state, input, now);
    state = r.state;
    maxStateSize = Math.max(maxStateSize, JSON.stringify({ ...state, config: undefined }).length);
    for (const e of r.effects) apply(e);
  };
  const apply = (e: SlotEffect<ModelRow>) => {
    switch (e.type) {
      case "fetch": {
        const queued = rows.filter((x) => x.status === "queued");
        const next = queued.find((x) => URGENT.has(x.command)) ?? queued[0] ?? null;
        pending.push({ kind: "fetched", row: next ? { ...next } : null });
        return;
      }
      case "send": {
        if (wire !== null || sendOutstanding) violations.push({ what: `send of ${e.row.id} while ${wire} is on the wire` });
        if (e.row.deadline !== null && e.row.deadline <= now) violations.push({ what: `send of ${e.row.id} past its deadline` });
        if (now < state.pausedUntil) violations.push({ what: "send while paused" });
        if (!URGENT.has(e.row.command) && now < state.holdUntil) violations.push({ what: "non-urgent send during the retry hold" });
        const m = rows.find((x) => x.id === e.row.id);
        const outcome = outcomes[outcomeIndex++ % outcomes.length] ?? "delivered";
        if (!m || m.status !== "queued" || outcome === "cancelled") {
          if (m && m.status === "queued") m.status = "done";
          pending.push({ kind: "sent", row: e.row, outcome: "cancelled" });
          sendOutstanding = true;
          return;
        }
        m.attempts = e.attempt;
        if (outcome === "undeliverable") {
          pending.push({ kind: "sent", row: { ...m }, outcome });
          sendOutstanding = true;
          return;
        }
        m.status = "sent";
        sendOutstanding = true;
        pending.push({ kind: "sent", row: { ...m }, outcome: "delivered" });
        return;
      }
      case "expire":
      case "sent-unanswered": {
        const m = rows.find((x) => x.id === e.row.id);
        if (m) m.status = "done";
        pending.push({ kind: "continue" });
        return;
      }
      case "requeue-undelivered": {
        const m = rows.find((x) => x.id === e.row.id);
        if (m) {
          m.status = "queued";
          m.attempts -= 1;
        }
        return;
      }
      case "send-probe":
        if (wire !== null || sendOutstanding) violations.push({ what: `probe while ${wire} is on the wire` });
        wire = "probe";
        // The dispatcher writes the probe and steps probe-sent at once (no store step between).
        feed({ kind: "probe-sent" });
        return;
      case "arm":
        armedAt = e.at;
        return;
      case "disarm":
        armedAt = null;
        return;
      case "wake":
        wakes.push(e.at);
        return;
      case "matched":
        if (wire === "probe") wire = null;
        return;
      case "take-answer": {
        if (answerFor === null || !(answerFor === e.row.command || (e.row.command === "getdevlock" && answerFor === "setdevlock"))) {
          violations.push({ what: `answer ${answerFor} completed ${e.row.command}` });
        }
        taken.set(e.row.id, (taken.get(e.row.id) ?? 0) + 1);
        wire = null;
        const m = rows.find((x) => x.id === e.row.id);
        if (m) m.status = "done";
        pending.push({ kind: "finished", id: e.row.id });
        return;
      }
      case "interrupted": {
        if (wire === e.row.id) wire = null;
        const m = rows.find((x) => x.id === e.row.id);
        if (m) m.status = !URGENT.has(m.command) && m.attempts < m.maxAttempts ? "queued" : "done";
        return;
      }
      case "pump-after":
        if (wire === "probe") wire = null;
        pending.push({ kind: "pump" });
        return;
      case "retry-store":
        return;
    }
  };

  for (const ev of events) {
    switch (ev.t) {
      case "pump":
        feed({ kind: "pump" });
        break;
      case "resolve": {
        if (pending.length === 0) break;
        // Store steps of one slot run one after another in the dispatcher: the oldest resolves first,
        // except that finishing an answer may overtake (it runs beside the queue loop).
        const index = pending.findIndex((p) => p.kind === "finished");
        const [input] = pending.splice(ev.pick % 2 === 0 || index === -1 ? 0 : index, 1);
        if (!input) break;
        if (input.kind === "sent") {
          sendOutstanding = false;
          if (input.outcome === "delivered" && !input.row.command.startsWith("reboot")) wire = input.row.id;
        }
        feed(input);
        break;
      }
      case "answer":
        answerFor = ev.name;
        feed({ kind: "answer", name: ev.name });
        answerFor = null;
        break;
      case "tick": {
        now += ev.dt;
        if (armedAt !== null && armedAt <= now) {
          armedAt = null;
          feed({ kind: "timer" });
        }
        const due = wakes.filter((w) => w <= now);
        if (due.length > 0) {
          wakes.splice(0, wakes.length, ...wakes.filter((w) => w > now));
          feed({ kind: "pump" });
        }
        break;
      }
      case "probe":
        feed({ kind: "probe" });
        break;
      case "drop":
        // A new session starts for the next events: the dropped one's wire is released.
        feed({ kind: "drop", why: "closed" });
        for (const p of pending.splice(0)) if (p.kind === "finished") feed(p);
        wire = null;
        sendOutstanding = false;
        armedAt = null;
        wakes.length = 0;
        state = initialSlot(modelConfig);
        break;
      case "queue":
        rows.push({ id: rows.length + 1, command: ev.command, attempts: 0, maxAttempts: URGENT.has(ev.command) ? 1 : 3, deadline: ev.deadline, status: "queued" });
        break;
    }
    if (state.inflight !== null && state.inflight.kind === "command" && state.inflight.row.id !== wire && !state.inflight.busy && wire !== null) {
      violations.push({ what: `in flight ${state.inflight.row.id} but ${wire} on the wire` });
    }
  }
  return { violations, taken, maxStateSize };
}

describe("properties", () => {
  test("never more than one command (or probe) on the wire; nothing past its deadline, while paused, or held goes out; an answer completes only its own command", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 150, size: "max" }), outcomeArb, (events, outcomes) => {
        expect(simulate(events, outcomes).violations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test("each command's answer is taken at most once per attempt", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 150, size: "max" }), outcomeArb, (events, outcomes) => {
        for (const times of simulate(events, outcomes).taken.values()) expect(times).toBeLessThanOrEqual(3);
      }),
    );
  });

  test("any input sequence keeps the slot's state bounded", () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 300, size: "max" }), outcomeArb, (events, outcomes) => {
        expect(simulate(events, outcomes).maxStateSize).toBeLessThan(400);
      }),
    );
  });

  test("a repeated answer never takes an answer twice for one attempt", () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMANDS.filter((c) => c !== "reboot")), fc.integer({ min: 1, max: 5 }), (command, repeats) => {
        let s = steps([[{ kind: "pump" }, T0], [{ kind: "fetched", row: row(1, command) }, T0], [{ kind: "sent", row: row(1, command, { attempts: 1 }), outcome: "delivered" }, T0]]).state;
        let takes = 0;
        for (let i = 0; i < repeats; i++) {
          const r = slotStep(s, { kind: "answer", name: command }, T0 + i);
          s = r.state;
          takes += r.effects.filter((e) => e.type === "take-answer").length;
        }
        expect(takes).toBe(1);
      }),
    );
  });
});
