import { describe, expect, test } from "bun:test";
import { deriveAlerts, terminalConditions } from "../../src/alerts/derive.ts";
import { ALERT_KINDS, type AlertState, TERMINAL_KINDS, type TerminalFacts, type WebhookFacts } from "../../src/alerts/model.ts";

const NOW = Date.parse("2026-03-02T12:00:00Z");
const MIN = 60_000;

function terminal(sn: string, extra: Partial<TerminalFacts> = {}): TerminalFacts {
  return {
    sn, name: null, approval: "approved", online: true, firstSeen: NOW - 86_400_000, lastSeen: NOW,
    userSize: null, userUsed: null, fpSize: null, fpUsed: null, cardSize: null, cardUsed: null, faceSize: null, faceUsed: null, logSize: null, logUsed: null,
    mismatchAt: null, mismatchAddr: null, mismatchCpusn: null, mismatchMac: null,
    ...extra,
  };
}

function webhook(extra: Partial<WebhookFacts> = {}): WebhookFacts {
  return { id: 3, name: "payroll", enabled: true, attempts: 0, lastError: null, lastErrorAt: null, lastSuccessAt: NOW - 10 * MIN, createdAt: NOW - 86_400_000, backlog: 0, ...extra };
}

/** The state with every terminal given, as before the store counted them: each kind's count from the list. */
function state(extra: Partial<Omit<AlertState, "terminalCounts">> = {}): AlertState {
  const s = base(extra);
  const terminalCounts = Object.fromEntries(TERMINAL_KINDS.map((k) => [k, 0])) as AlertState["terminalCounts"];
  for (const t of s.terminals) for (const kind of terminalConditions(t, s.now, s.limits)) terminalCounts[kind]++;
  return { ...s, terminalCounts };
}

function base(extra: Partial<Omit<AlertState, "terminalCounts">>): Omit<AlertState, "terminalCounts"> {
  return {
    now: NOW,
    limits: { offlineMinutes: 10, driftSeconds: 60 },
    terminals: [terminal("SN1")],
    clocks: [],
    webhooks: [],
    exporter: null,
    doorAlarms: [],
    doorStates: [],
    refusedPunches: [],
    quarantinedLastHour: 0,
    heldChanges: { count: 0, oldestAt: null },
    accessNotFit: [],
    store: null,
    ...extra,
  };
}

const ids = (s: AlertState) => deriveAlerts(s).map((a) => a.id);

/** Each kind: a state that raises it (exactly that one alert) and the same state once the cause is gone. */
const CASES: Array<{ kind: string; raised: Partial<AlertState>; cleared: Partial<AlertState>; id: string; title: string }> = [
  {
    kind: "store_failing",
    raised: { store: { failingSince: NOW - MIN, error: "disk I/O error" } },
    cleared: { store: null },
    id: "store_failing:store",
    title: "The store is failing: terminals' uploads are refused",
  },
  {
    kind: "terminal_offline",
    raised: { terminals: [terminal("SN1", { name: "Front door", online: false, lastSeen: NOW - 11 * MIN })] },
    cleared: { terminals: [terminal("SN1", { name: "Front door", online: true, lastSeen: NOW })] },
    id: "terminal_offline:terminal:SN1",
    title: "Front door (SN1) offline for 11 min",
  },
  {
    kind: "terminal_pending",
    raised: { terminals: [terminal("SN9", { approval: "pending", online: false })] },
    cleared: { terminals: [terminal("SN9", { approval: "approved" })] },
    id: "terminal_pending:terminal:SN9",
    title: "SN9 is waiting for approval",
  },
  {
    kind: "hardware_mismatch",
    raised: { terminals: [terminal("SN1", { name: "Gate", mismatchAt: NOW - 3 * MIN, mismatchAddr: "10.0.0.66", mismatchCpusn: "CPU-B", mismatchMac: null })] },
    cleared: { terminals: [terminal("SN1", { name: "Gate" })] },
    id: "hardware_mismatch:terminal:SN1",
    title: "Other hardware registered as Gate (SN1)",
  },
  {
    kind: "clock_drift",
    raised: { clocks: [{ sn: "SN1", driftSeconds: -3601, checkedAt: NOW - 7 * MIN }] },
    cleared: { clocks: [{ sn: "SN1", driftSeconds: 1, checkedAt: NOW - 6 * MIN }] },
    id: "clock_drift:terminal:SN1",
    title: "SN1 clock is 3601 s behind",
  },
  {
    kind: "storage_nearly_full",
    raised: { terminals: [terminal("SN1", { logSize: 100_000, logUsed: 95_000, userSize: 1000, userUsed: 10 })] },
    cleared: { terminals: [terminal("SN1", { logSize: 100_000, logUsed: 0, userSize: 1000, userUsed: 10 })] },
    id: "storage_nearly_full:terminal:SN1",
    title: "SN1 is nearly full: logs 95000 of 100000",
  },
  {
    kind: "webhook_failing",
    raised: { webhooks: [webhook({ attempts: 7, lastError: "HTTP 503", lastErrorAt: NOW - MIN, backlog: 762 })] },
    cleared: { webhooks: [webhook({ attempts: 0, lastError: "HTTP 503", lastErrorAt: NOW - MIN, lastSuccessAt: NOW })] },
    id: "webhook_failing:webhook:3",
    title: 'Webhook "payroll" failing: 762 records waiting',
  },
  {
    kind: "export_lagging",
    raised: { exporter: { failingSince: NOW - 5 * MIN, lastError: "connection refused", backlog: 40 } },
    cleared: { exporter: { failingSince: null, lastError: "connection refused", backlog: 0 } },
    id: "export_lagging:export",
    title: "PostgreSQL export failing: 40 records behind",
  },
  {
    kind: "door_forced_open",
    raised: { doorAlarms: [{ sn: "SN1", event: 5, ts: NOW - 2 * MIN }] },
    cleared: { doorAlarms: [{ sn: "SN1", event: 5, ts: NOW - 61 * MIN }] },
    id: "door_forced_open:terminal:SN1",
    title: "SN1: door forced open",
  },
  {
    kind: "tamper",
    raised: { doorAlarms: [{ sn: "SN1", event: 6, ts: NOW - 2 * MIN }] },
    cleared: { doorAlarms: [] },
    id: "tamper:terminal:SN1",
    title: "SN1: tamper alarm (unit removed from the wall)",
  },
  {
    kind: "input_alarm",
    raised: { doorAlarms: [{ sn: "SN1", event: 7, ts: NOW - 2 * MIN }] },
    cleared: { doorAlarms: [{ sn: "SN1", event: 7, ts: NOW - 2 * 3_600_000 }] },
    id: "input_alarm:terminal:SN1",
    title: "SN1: input alarm",
  },
  {
    kind: "door_held_open",
    raised: { doorStates: [{ sn: "SN1", event: 1, ts: NOW - 6 * MIN }, { sn: "SN1", event: 0, ts: NOW - 60 * MIN }] },
    cleared: { doorStates: [{ sn: "SN1", event: 0, ts: NOW - MIN }, { sn: "SN1", event: 1, ts: NOW - 6 * MIN }] },
    id: "door_held_open:terminal:SN1",
    title: "SN1: door held open for 6 min",
  },
  {
    kind: "refused_punches",
    // Five refused within ten minutes; the sixth, older one is outside the window and a sixth of another terminal apart.
    raised: { refusedPunches: [...[1, 2, 3, 4, 9].map((m) => ({ sn: "SN1", ts: NOW - m * MIN })), { sn: "SN1", ts: NOW - 11 * MIN }, { sn: "SN2", ts: NOW - MIN }] },
    cleared: { refusedPunches: [...[1, 2, 3, 4, 11].map((m) => ({ sn: "SN1", ts: NOW - m * MIN })), { sn: "SN2", ts: NOW - MIN }] },
    id: "refused_punches:terminal:SN1",
    title: "SN1: 5 refused punches in 10 min",
  },
  {
    kind: "quarantine_spike",
    raised: { quarantinedLastHour: 12 },
    cleared: { quarantinedLastHour: 9 },
    id: "quarantine_spike:quarantine",
    title: "12 records quarantined in the last hour",
  },
  {
    kind: "held_changes",
    raised: { heldChanges: { count: 2, oldestAt: NOW - 5 * MIN } },
    cleared: { heldChanges: { count: 0, oldestAt: null } },
    id: "held_changes:people",
    title: "2 changes from terminals wait for approval",
  },
  {
    kind: "access_not_fit",
    raised: { accessNotFit: [{ sn: "SN1", message: "terminal SN1: the coming year has 31 holiday ranges (a range that spans New Year counts twice); a terminal holds 30", since: NOW - MIN }] },
    cleared: { accessNotFit: [] },
    id: "access_not_fit:terminal:SN1",
    title: "The access rules do not fit SN1",
  },
];

describe("deriveAlerts", () => {
  test("a quiet site has no alerts", () => {
    expect(deriveAlerts(state())).toEqual([]);
  });

  test("every kind has a case below", () => {
    expect(CASES.map((c) => c.kind).sort()).toEqual([...ALERT_KINDS].sort());
  });

  for (const c of CASES) {
    test(`${c.kind}: raised by its cause, cleared when the cause is gone`, () => {
      const raised = deriveAlerts(state(c.raised));
      expect(raised.map((a) => [a.id, a.kind, a.title, a.count])).toEqual([[c.id, c.kind, c.title, 1]]);
      expect(ids(state(c.cleared))).toEqual([]);
    });
  }

  test("offline only past the site's limit, and never for a blocked terminal", () => {
    expect(ids(state({ terminals: [terminal("SN1", { online: false, lastSeen: NOW - 9 * MIN })] }))).toEqual([]);
    expect(ids(state({ terminals: [terminal("SN1", { online: false, lastSeen: NOW - 3 * 3_600_000, approval: "blocked" })] }))).toEqual([]);
    expect(deriveAlerts(state({ terminals: [terminal("SN1", { online: false, lastSeen: NOW - 3 * 3_600_000 })] }))[0]?.title).toBe("SN1 offline for 3 h");
  });

  test("a clock within the limit, or of a terminal not approved, raises nothing", () => {
    expect(ids(state({ clocks: [{ sn: "SN1", driftSeconds: 60, checkedAt: NOW }] }))).toEqual([]);
    expect(ids(state({ terminals: [terminal("SN1", { approval: "blocked" })], clocks: [{ sn: "SN1", driftSeconds: 3601, checkedAt: NOW }] }))).toEqual([]);
  });

  test("a disabled webhook is not failing; a held-open door needs a sensor (a close reported) and five minutes", () => {
    expect(ids(state({ webhooks: [webhook({ enabled: false, attempts: 4, backlog: 10 })] }))).toEqual([]);
    expect(ids(state({ doorStates: [{ sn: "SN1", event: 1, ts: NOW - 30 * MIN }] }))).toEqual([]);
    expect(ids(state({ doorStates: [{ sn: "SN1", event: 1, ts: NOW - 4 * MIN }, { sn: "SN1", event: 0, ts: NOW - 30 * MIN }] }))).toEqual([]);
  });

  test("several door alarms of one terminal are one alert, since the first", () => {
    const [a, ...rest] = deriveAlerts(state({ doorAlarms: [{ sn: "SN1", event: 5, ts: NOW - 2 * MIN }, { sn: "SN1", event: 5, ts: NOW - 20 * MIN }] }));
    expect(rest).toEqual([]);
    expect(a?.since).toBe(NOW - 20 * MIN);
    expect(a?.message).toStartWith("Reported by the terminal 2 times, last 2 min ago.");
  });

  test("many of one kind are one summary line with a count and a link", () => {
    const terminals = Array.from({ length: 20_000 }, (_, i) => terminal(`SN${String(i).padStart(5, "0")}`, { online: false, lastSeen: NOW - (20 + (i % 50)) * MIN }));
    const alerts = deriveAlerts(state({ terminals, quarantinedLastHour: 50 }));
    expect(alerts.map((a) => [a.id, a.title, a.count, a.href, a.level])).toEqual([
      ["terminal_offline:*", "20000 terminals offline", 20_000, "/terminals?status=offline", "error"],
      ["quarantine_spike:quarantine", "50 records quarantined in the last hour", 1, "/quarantine", "warn"],
    ]);
    expect(alerts[0]?.since).toBe(NOW - 69 * MIN);
    expect(alerts[0]?.message).toEndWith("; and 19995 more.");
  });

  test("three of a kind stay three lines; errors come before warnings", () => {
    const terminals = ["A", "B", "C"].map((sn) => terminal(sn, { online: false, lastSeen: NOW - 30 * MIN }));
    const alerts = deriveAlerts(state({ terminals: [...terminals, terminal("P", { approval: "pending" })] }));
    expect(alerts.map((a) => a.id)).toEqual(["terminal_offline:terminal:A", "terminal_offline:terminal:B", "terminal_offline:terminal:C", "terminal_pending:terminal:P"]);
  });
});
