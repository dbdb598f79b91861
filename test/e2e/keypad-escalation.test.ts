/**
 * Issue 15, "a fake terminal can change PINs, cards and admin levels, and the change spreads to
 * every door": a socket posing as a door of a synced group sends a raised admin level with a new
 * PIN, and a new card, for a person the site has. Both are held (listed with the sn and address
 * they came from), nothing reaches the other door; approving one applies it and pushes it to the
 * other door, rejecting the other discards it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { HeldChangeView } from "../../src/app/held-changes.ts";
import { createToken, startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";
import { until } from "../helpers/sim.ts";

type HeldChange = HeldChangeView;

/** Answers every command the server sends it, as a unit does. */
function answerEverything(t: TestTerminal, sn: string): () => void {
  const answered = new Set<Record<string, unknown>>();
  const timer = setInterval(() => {
    for (const m of t.received) {
      if (answered.has(m) || typeof m.cmd !== "string") continue;
      answered.add(m);
      t.send({ ret: m.cmd, result: true, sn });
    }
  }, 20);
  return () => clearInterval(timer);
}

const setuserinfo = (t: TestTerminal, enrollid: number) => t.received.filter((m) => m.cmd === "setuserinfo" && m.enrollid === enrollid);

describe("keypad escalation from a socket posing as a door", () => {
  let srv: Tm20Process;
  let door2: TestTerminal;
  const stops: Array<() => void> = [];

  const json = async (path: string, init?: RequestInit) => {
    const res = await srv.api(`/api/v1${path}`, { ...init, headers: { "content-type": "application/json" } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const jobDone = (id: unknown) => until(`job ${String(id)} done`, async () => ((await json(`/jobs/${String(id)}`)).body.status === "succeeded" ? true : undefined), 15_000);
  const storedCredentials = (enrollid: number) => {
    const db = srv.db();
    const rows = db.query("SELECT backupnum, data, source_sn FROM credentials WHERE enrollid = ? ORDER BY backupnum").all(enrollid);
    db.close();
    return rows;
  };
  const commandsFor = (sn: string, enrollid: number) => {
    const db = srv.db();
    const rows = db.query("SELECT command, params FROM commands WHERE sn = ? ORDER BY id").all(sn) as Array<{ command: string; params: string }>;
    db.close();
    return rows.map((r) => ({ command: r.command, params: JSON.parse(r.params) as Record<string, unknown> })).filter((r) => r.params.enrollid === enrollid);
  };

  beforeAll(async () => {
    srv = await startTm20({ args: ["--approval", "open"] });
    const door1 = await connectTerminal(srv.ws());
    expect(await door1.register("DOOR1")).toMatchObject({ result: true });
    door2 = await connectTerminal(srv.ws());
    expect(await door2.register("DOOR2")).toMatchObject({ result: true });
    stops.push(answerEverything(door1, "DOOR1"), answerEverything(door2, "DOOR2"));
    // Both doors in one synced group; person 7, no admin rights, PIN 1234 and card 111, on both.
    expect((await json("/groups", { method: "POST", body: JSON.stringify({ name: "Front", sync: true }) })).status).toBe(201);
    for (const sn of ["DOOR1", "DOOR2"]) expect((await json(`/groups/1/terminals/${sn}`, { method: "PUT" })).status).toBe(200);
    const created = await json("/people", {
      method: "POST",
      body: JSON.stringify({ enrollid: 7, name: "Gus", admin: 0, credentials: [{ backupnum: 10, data: "1234" }, { backupnum: 11, data: "111" }] }),
    });
    expect(created.status).toBe(201);
    const push = await json("/people/push", { method: "POST", body: JSON.stringify({ enrollids: [7], group: 1 }) });
    expect(push.status).toBe(202);
    await jobDone(push.body.id);
    expect(setuserinfo(door2, 7).map((m) => [m.backupnum, m.admin, m.record])).toEqual([[10, 0, "1234"], [11, 0, "111"]]);
  });

  afterAll(async () => {
    for (const stop of stops) stop();
    await srv.stop();
  });

  test("the raised admin level, the new PIN and the new card are held, answered as stored, and go nowhere", async () => {
    const startedAt = Date.now();
    const fake = await connectTerminal(srv.ws());
    expect(await fake.register("DOOR1")).toMatchObject({ result: true });
    fake.send({ cmd: "senduser", sn: "DOOR1", enrollid: 7, admin: 2, backupnum: 10, record: "9999" });
    expect(await fake.next((m) => m.ret === "senduser")).toMatchObject({ ret: "senduser", result: true });
    fake.send({ cmd: "senduser", sn: "DOOR1", enrollid: 7, admin: 0, backupnum: 11, record: "666" });
    expect(await fake.next((m) => m.ret === "senduser")).toMatchObject({ ret: "senduser", result: true });
    // A change that escalates nothing still flows: a new person's fingerprint reaches the other door,
    // so by then whatever the attack would have sent it is there too.
    fake.send({ cmd: "senduser", sn: "DOOR1", enrollid: 8, name: "Newcomer", admin: 0, backupnum: 0, record: "tpl-8" });
    expect(await fake.next((m) => m.ret === "senduser")).toMatchObject({ result: true });
    await door2.next((m) => m.cmd === "setuserinfo" && m.enrollid === 8, 15_000);

    const person = await json("/people/7");
    expect([person.body.admin, person.body.name]).toEqual([0, "Gus"]);
    expect(storedCredentials(7)).toEqual([
      { backupnum: 10, data: "1234", source_sn: null },
      { backupnum: 11, data: "111", source_sn: null },
    ]);
    expect(commandsFor("DOOR2", 7).map((c) => [c.params.backupnum, c.params.record])).toEqual([[10, "1234"], [11, "111"]]);
    expect(setuserinfo(door2, 7)).toHaveLength(2);

    const held = await json("/held-changes");
    expect(held.status).toBe(200);
    expect(held.body.next).toBeNull();
    const items = held.body.items as HeldChange[];
    const address = items[0]?.address ?? "";
    expect(address).toContain("127.0.0.1");
    expect(items.every((h) => h.at >= startedAt && h.at <= Date.now())).toBe(true);
    expect(items.map(({ at: _at, ...h }) => h)).toEqual([
      {
        id: 1, sn: "DOOR1", address, via: "senduser", enrollid: 7, name: null, previousName: "Gus", admin: 2, previousAdmin: 0,
        credential: { backupnum: 10, kind: "password", size: 4, masked: "****" }, reasons: ["admin-raised", "credential-replaced"],
      },
      {
        id: 2, sn: "DOOR1", address, via: "senduser", enrollid: 7, name: null, previousName: "Gus", admin: 0, previousAdmin: 0,
        credential: { backupnum: 11, kind: "card", size: 3, masked: "*66" }, reasons: ["credential-replaced"],
      },
    ]);

    // Every change from the terminal is in the audit log with its sn and address, the actor the terminal.
    const db = srv.db();
    const audit = db.query("SELECT target, details, result FROM audit_log WHERE actor = 'terminal:DOOR1' ORDER BY id").all() as Array<{ target: string; details: string; result: string }>;
    db.close();
    expect(audit.map((a) => [a.target, a.result, (JSON.parse(a.details) as { sn: string }).sn, (JSON.parse(a.details) as { address: string }).address])).toEqual([
      ["person:7", "held", "DOOR1", address],
      ["person:7", "held", "DOOR1", address],
      ["person:8", "applied", "DOOR1", address],
    ]);
    fake.close();
  });

  test("approving applies the change and pushes it to the other door; rejecting discards it; each decides once", async () => {
    const approved = await json("/held-changes/1/approve", { method: "POST" });
    expect(approved.status).toBe(200);
    expect((approved.body.change as HeldChange).id).toBe(1);
    const job = approved.body.job as { id: number };
    await jobDone(job.id);
    expect((await json("/people/7")).body.admin).toBe(2);
    // The approved PIN, and the card again (its admin level changed with the person's).
    expect(setuserinfo(door2, 7).slice(2).map((m) => [m.backupnum, m.admin, m.record])).toEqual([[10, 2, "9999"], [11, 2, "111"]]);

    const rejected = await json("/held-changes/2/reject", { method: "POST" });
    expect(rejected.status).toBe(200);
    expect(storedCredentials(7)).toEqual([
      { backupnum: 10, data: "9999", source_sn: "DOOR1" },
      { backupnum: 11, data: "111", source_sn: null },
    ]);
    expect(await json("/held-changes")).toEqual({ status: 200, body: { items: [], next: null } });
    expect(setuserinfo(door2, 7).some((m) => m.record === "666")).toBe(false);
    for (const path of ["/held-changes/1/approve", "/held-changes/2/reject", "/held-changes/99/approve"]) {
      const again = await json(path, { method: "POST" });
      expect([again.status, (again.body as { code: string }).code]).toEqual([404, "not_found"]);
    }
    const db = srv.db();
    const decisions = db.query("SELECT action, target, result FROM audit_log WHERE action LIKE 'people.held.%' ORDER BY id").all();
    db.close();
    expect(decisions).toEqual([
      { action: "people.held.approve", target: "person:7", result: "ok" },
      { action: "people.held.reject", target: "person:7", result: "ok" },
    ]);
  });

  test("a keypad enrolment under 99999998 or 99999999 (the enroll ids of scans of nobody enrolled) is answered as stored, ignored, audited and logged", async () => {
    const fake = await connectTerminal(srv.ws());
    expect(await fake.register("DOOR3")).toMatchObject({ result: true });
    fake.send({ cmd: "senduser", sn: "DOOR3", enrollid: 99999998, name: "Nobody", admin: 0, backupnum: 10, record: "4321" });
    expect(await fake.next((m) => m.ret === "senduser")).toMatchObject({ ret: "senduser", result: true });
    fake.send({ cmd: "senduser", sn: "DOOR3", enrollid: 99999999, admin: 2, backupnum: 0, record: "tpl-9" });
    expect(await fake.next((m) => m.ret === "senduser")).toMatchObject({ ret: "senduser", result: true });
    const warned = () => srv.logs.filter((l) => l.sn === "DOOR3" && l.msg === "person change from a terminal not applied (held for an admin or ignored; see the audit log)");
    await until("both warnings", () => (warned().length === 2 ? true : undefined));
    expect(warned().map((l) => [l.level, l.enrollid, l.backupnum, l.outcome])).toEqual([[40, 99999998, 10, "ignored"], [40, 99999999, 0, "ignored"]]);

    for (const enrollid of [99999998, 99999999]) {
      expect(await json(`/people/${enrollid}`)).toMatchObject({ status: 404 });
      expect(storedCredentials(enrollid)).toEqual([]);
    }
    // Never held either: no admin could approve one into a person.
    expect(await json("/held-changes")).toEqual({ status: 200, body: { items: [], next: null } });
    const db = srv.db();
    const audit = db.query("SELECT action, target, details, result FROM audit_log WHERE actor = 'terminal:DOOR3' ORDER BY id").all() as Array<{ action: string; target: string; details: string; result: string }>;
    db.close();
    expect(audit.map((a) => [a.action, a.target, a.result, (JSON.parse(a.details) as { reasons: string[] }).reasons])).toEqual([
      ["people.terminal-change", "person:99999998", "ignored: enrollid reserved for scans of nobody enrolled", ["new-person", "reserved-enrollid"]],
      ["people.terminal-change", "person:99999999", "ignored: enrollid reserved for scans of nobody enrolled", ["new-person", "admin-raised", "reserved-enrollid"]],
    ]);
    expect(door2.received.some((m) => m.cmd === "setuserinfo" && (m.enrollid === 99999998 || m.enrollid === 99999999))).toBe(false);
    fake.close();
  });

  test("held changes need an admin token", async () => {
    const read = createToken(srv.dataDir, "reporting", "read");
    const res = await fetch(`${srv.http}/api/v1/held-changes`, { headers: { authorization: `Bearer ${read}` } });
    expect(res.status).toBe(403);
  });
});
