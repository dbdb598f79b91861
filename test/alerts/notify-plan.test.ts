import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ALERT_KINDS, type Alert, type AlertKind } from "../../src/alerts/model.ts";
import { composeMessage, NotificationPlan } from "../../src/alerts/notify-plan.ts";
import { SiteClock } from "../../src/protocol/index.ts";

const T0 = Date.parse("2026-03-02T08:00:00Z");
const S = 1000;
const ALL = new Set<AlertKind>(ALERT_KINDS);
const options = { quietMs: 60 * S, kinds: ALL, notifyResolved: true };

function alert(id: string, kind: AlertKind = "terminal_offline", extra: Partial<Alert> = {}): Alert {
  return { id, kind, level: "error", subject: id, since: T0, title: `${id} offline for 0 min`, message: "Last seen 0 min ago.", href: `/terminals/${id}`, count: 1, ...extra };
}
const ids = (as: Alert[]) => as.map((a) => a.id);

describe("NotificationPlan", () => {
  test("an alert is told once it has lasted the quiet period, once", () => {
    const plan = new NotificationPlan();
    const a = alert("SN1");
    expect(ids(plan.step([a], T0, options).raised)).toEqual([]);
    expect(ids(plan.step([a], T0 + 59 * S, options).raised)).toEqual([]);
    expect(ids(plan.step([a], T0 + 60 * S, options).raised)).toEqual(["SN1"]);
    expect(plan.step([a], T0 + 600 * S, options)).toEqual({ raised: [], resolved: [] });
    expect(ids(plan.told())).toEqual(["SN1"]);
  });

  test("a flapping alert (gone before the quiet period ends) is never told", () => {
    const plan = new NotificationPlan();
    for (let i = 0; i < 10; i++) {
      const at = T0 + i * 40 * S;
      expect(plan.step([alert("SN1")], at, options)).toEqual({ raised: [], resolved: [] });
      expect(plan.step([], at + 20 * S, options)).toEqual({ raised: [], resolved: [] });
    }
  });

  test("told, it is told resolved once gone for the quiet period; back meanwhile, it is the same alert", () => {
    const plan = new NotificationPlan();
    plan.step([alert("SN1")], T0, options);
    expect(ids(plan.step([alert("SN1")], T0 + 60 * S, options).raised)).toEqual(["SN1"]);
    expect(plan.step([], T0 + 70 * S, options)).toEqual({ raised: [], resolved: [] });
    expect(plan.step([alert("SN1")], T0 + 100 * S, options)).toEqual({ raised: [], resolved: [] });
    expect(plan.step([], T0 + 110 * S, options)).toEqual({ raised: [], resolved: [] });
    expect(ids(plan.step([], T0 + 170 * S, options).resolved)).toEqual(["SN1"]);
    expect(plan.told()).toEqual([]);
  });

  test("several due together come in one step; kinds not chosen are ignored; resolved can be off", () => {
    const plan = new NotificationPlan();
    const kinds = new Set<AlertKind>(["terminal_offline", "door_forced_open"]);
    const current = [alert("A"), alert("B"), alert("C", "clock_drift"), alert("D", "door_forced_open")];
    plan.step(current, T0, { ...options, kinds });
    expect(ids(plan.step(current, T0 + 60 * S, { ...options, kinds }).raised)).toEqual(["A", "B", "D"]);
    expect(plan.step([], T0 + 200 * S, { ...options, kinds, notifyResolved: false })).toEqual({ raised: [], resolved: [] });
    expect(plan.told()).toEqual([]);
  });
});

describe("NotificationPlan carried over a restart (saved, then handed to a new plan)", () => {
  const restart = (plan: NotificationPlan, now: number) => new NotificationPlan(JSON.parse(JSON.stringify(plan.saved())), now);

  // [case, told before the restart, alerts after it, what the looks 59 s and 60 s after it tell]
  test.each([
    ["told, still going: not told again", true, [alert("SN1")], [[], []], [[], []]],
    ["told, ended while down: resolved once gone the quiet period from the restart", true, [], [[], []], [[], ["SN1"]]],
    ["not told yet, still going: told at the first look (it has lasted the quiet period)", false, [alert("SN1")], [["SN1"], []], [[], []]],
    ["not told yet, ended while down: forgotten", false, [], [[], []], [[], []]],
  ] satisfies Array<[string, boolean, Alert[], string[][], string[][]]>)("%s", (_, told, after, at59, at60) => {
    const plan = new NotificationPlan();
    plan.step([alert("SN1")], T0, options);
    if (told) expect(ids(plan.step([alert("SN1")], T0 + 60 * S, options).raised)).toEqual(["SN1"]);
    const up = T0 + 3_600 * S;
    const again = restart(plan, up);
    const told59 = again.step(after, up + 59 * S, options);
    const told60 = again.step(after, up + 60 * S, options);
    expect([ids(told59.raised), ids(told59.resolved), ids(told60.raised), ids(told60.resolved)]).toEqual([...at59, ...at60]);
  });

  test("property: restarted anywhere, each alert is told raised and resolved in turn, never twice in a row", () => {
    const looks = fc.array(fc.record({ gapS: fc.integer({ min: 1, max: 90 }), present: fc.subarray(["A", "B", "C"]), restart: fc.boolean() }), { maxLength: 60 });
    fc.assert(
      fc.property(looks, (seq) => {
        let plan = new NotificationPlan();
        let now = T0;
        const last = new Map<string, "raised" | "resolved">();
        for (const look of seq) {
          now += look.gapS * S;
          if (look.restart) plan = restart(plan, now);
          const step = plan.step(look.present.map((id) => alert(id)), now, options);
          for (const [what, list] of [["raised", step.raised], ["resolved", step.resolved]] as const) {
            for (const a of list) {
              expect(last.get(a.id) ?? "resolved").not.toBe(what);
              last.set(a.id, what);
            }
          }
        }
      }),
    );
  });
});

describe("composeMessage", () => {
  const o = { clock: new SiteClock("Europe/Berlin"), linkBase: "https://tm20.example.com/" };

  test("one alert: its title is the subject; the body has the message, the site-local start and a link", () => {
    const m = composeMessage("Main office", { raised: [alert("SN1")], resolved: [] }, o);
    expect(m.subject).toBe("[Main office] SN1 offline for 0 min");
    expect(m.text).toStartWith(
      "New alert on Main office:\n\nERROR: SN1 offline for 0 min\n  Last seen 0 min ago.\n  Since 2026-03-02 09:00 (Europe/Berlin)\n  https://tm20.example.com/terminals/SN1\n\n-- \n",
    );
  });

  test("a digest of several, resolved ones, and the daily digest", () => {
    expect(composeMessage("S", { raised: [alert("A"), alert("B"), alert("C")], resolved: [] }, o).subject).toBe("[S] 3 alerts: A offline for 0 min and 2 more");
    expect(composeMessage("S", { raised: [], resolved: [alert("A")] }, o).subject).toBe("[S] Resolved: A offline for 0 min");
    const mixed = composeMessage("S", { raised: [alert("A")], resolved: [alert("B"), alert("C", "clock_drift", { level: "warn", title: "C clock is 90 s ahead" })] }, o);
    expect(mixed.subject).toBe("[S] 1 new alert, 2 resolved");
    expect(mixed.text).toContain("Resolved on S:\n\nOK: B offline for 0 min\nOK: C clock is 90 s ahead\n");
    const daily = composeMessage("S", { raised: [], resolved: [], digest: [alert("A", "tamper", { level: "error", title: "A: tamper alarm" })] }, o);
    expect(daily.subject).toBe("[S] Daily digest: 1 current alert");
    expect(daily.text).toStartWith("Current alerts on S:\n\nERROR: A: tamper alarm\n");
    expect(composeMessage("S", { raised: [], resolved: [], digest: [] }, o).subject).toBe("[S] Daily digest: no alerts");
  });
});
