/**
 * People end to end: pull from a simulated terminal, push to another, re-sync, group sync of
 * keypad enrolments, and fetching missed logs — a real server process, real SQLite file.
 */
import { describe, expect, test } from "bun:test";
import { SimDevice, type SimUser, seedPeople, simTemplate } from "../../src/simulator/device.ts";
import { type SimRecord, simRecord } from "../../src/simulator/terminal.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { commandsReceived, registered, START, startSim, until } from "../helpers/sim.ts";

type Json = Record<string, unknown>;

async function call(srv: Tm20Process, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await srv.api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  return { status: res.status, json: (await res.json()) as Json };
}

const jobDone = (srv: Tm20Process, id: unknown, timeoutMs = 120_000) =>
  until(
    `job ${String(id)}`,
    async () => {
      const { json } = await call(srv, "GET", `/api/v1/jobs/${String(id)}`);
      return json.status !== "running" ? json : undefined;
    },
    timeoutMs,
  );

/** A terminal's users as comparable plain data. */
function usersOf(device: SimDevice) {
  return [...device.users.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, u]: [number, SimUser]) => ({ id, name: u.name, admin: u.admin, enabled: u.enabled, credentials: [...u.credentials.entries()].sort(([a], [b]) => a - b) }));
}

describe("people", () => {
  test("import 1,000 people with 2,500 credentials, push them to an empty terminal, re-sync sends nothing", async () => {
    const srv = await startTm20();
    try {
      const source = new SimDevice();
      seedPeople(source, 1000);
      expect(source.credentialCount()).toBe(2500);
      const t1 = startSim(srv.ws(), "SRC1", { device: source });
      const t2 = startSim(srv.ws(), "DST1");
      await registered(t1);
      await registered(t2);

      const pull = await call(srv, "POST", "/api/v1/people/pull", { sn: "SRC1" });
      expect(pull.status).toBe(202);
      const pulled = await jobDone(srv, pull.json.id);
      expect(pulled).toMatchObject({ kind: "pull", status: "succeeded", progress: { total: 2501, done: 2501, succeeded: 2501, failed: 0 }, failures: [] });
      expect(pulled.detail).toMatchObject({ people: 1000, credentials: 2500, listed: 2500, listStop: "complete" });
      // 2,500 entries at 40 a page.
      expect(commandsReceived(t1, "getuserlist").length).toBe(63);
      expect(commandsReceived(t1, "getuserinfo").length).toBe(2500);

      const db = srv.db();
      const people = db.query("SELECT enrollid, name, admin FROM people ORDER BY enrollid").all() as Array<{ enrollid: number; name: string; admin: number }>;
      const creds = db.query("SELECT enrollid, backupnum, data FROM credentials ORDER BY enrollid, backupnum").all() as Array<{ enrollid: number; backupnum: number; data: string }>;
      db.close();
      expect(people.length).toBe(1000);
      expect(people).toEqual([...source.users.entries()].map(([enrollid, u]) => ({ enrollid, name: u.name, admin: u.admin })));
      expect(creds.length).toBe(2500);
      expect(creds).toEqual(usersOf(source).flatMap((u) => u.credentials.map(([backupnum, data]) => ({ enrollid: u.id, backupnum, data }))));

      const push = await call(srv, "POST", "/api/v1/people/push", { terminals: ["DST1"] });
      expect(push.status).toBe(202);
      const pushed = await jobDone(srv, push.json.id);
      expect(pushed).toMatchObject({ kind: "push", status: "succeeded", progress: { total: 2500, succeeded: 2500 } });
      expect(usersOf(t2.device)).toEqual(usersOf(source));

      const group = await call(srv, "POST", "/api/v1/groups", { name: "Main door", sync: false });
      expect(group.status).toBe(201);
      for (const sn of ["SRC1", "DST1"]) {
        const added = await call(srv, "PUT", `/api/v1/groups/${String(group.json.id)}/terminals/${sn}`);
        expect(added).toMatchObject({ status: 200, json: { job: null } });
      }
      const sent = t1.device.received.length + t2.device.received.length;
      const resync = await call(srv, "POST", `/api/v1/groups/${String(group.json.id)}/resync`);
      expect(resync.status).toBe(202);
      expect(await jobDone(srv, resync.json.id)).toMatchObject({ kind: "resync", status: "succeeded", progress: { total: 0 } });
      expect(t1.device.received.length + t2.device.received.length).toBe(sent);

      // PINs and cards are masked, templates never shown.
      const one = await call(srv, "GET", "/api/v1/people/2");
      expect(one.json).toMatchObject({
        enrollid: 2,
        name: "Person 2",
        credentials: [
          { backupnum: 0, kind: "fingerprint", size: 1400, masked: null },
          { backupnum: 1, kind: "fingerprint", size: 1400, masked: null },
          { backupnum: 11, kind: "card", size: 8, masked: "******02" },
        ],
        terminals: ["DST1", "SRC1"],
      });
      expect(JSON.stringify(one.json)).not.toContain(simTemplate(2, 0).slice(0, 40));
      t1.stop();
      t2.stop();
    } finally {
      await srv.stop();
    }
  }, 240_000);

  test("an enrolment on one terminal's keypad reaches the others of its synced group; a terminal added later receives everyone", async () => {
    const srv = await startTm20();
    try {
      const [a, b, c, d] = ["SYNA", "SYNB", "SYNC", "SYND"].map((sn) => startSim(srv.ws(), sn));
      if (!a || !b || !c || !d) throw new Error("four terminals");
      for (const t of [a, b, c, d]) await registered(t);
      const group = await call(srv, "POST", "/api/v1/groups", { name: "Site", sync: true });
      for (const sn of ["SYNA", "SYNB", "SYNC"]) await call(srv, "PUT", `/api/v1/groups/${String(group.json.id)}/terminals/${sn}`);

      const template = simTemplate(77, 0);
      expect(await a.enroll(77, "Kim", 0, template)).toBe(true);
      expect(await a.enroll(77, "Kim", 10, "4321")).toBe(true);
      const want = { name: "Kim", admin: 0, enabled: true, credentials: new Map<number, string>([[0, template], [10, "4321"]]) };
      for (const t of [b, c]) await until(`enrolment on ${t === b ? "B" : "C"}`, () => t.device.users.get(77)?.credentials.size === 2);
      expect(b.device.users.get(77)).toEqual(want);
      expect(c.device.users.get(77)).toEqual(want);
      expect(d.device.users.size).toBe(0);

      const joined = await call(srv, "PUT", `/api/v1/groups/${String(group.json.id)}/terminals/SYND`);
      expect(joined.json.job).toMatchObject({ kind: "sync", progress: { total: 2 } });
      await jobDone(srv, (joined.json.job as Json).id);
      expect(d.device.users.get(77)).toEqual(want);
      // Nothing went back to the terminal it came from.
      expect(commandsReceived(a, "setuserinfo")).toEqual([]);

      // Disabling the person disables them everywhere they are.
      const patched = await call(srv, "PATCH", "/api/v1/people/77", { enabled: false });
      await jobDone(srv, (patched.json.job as Json).id);
      for (const t of [a, b, c, d]) expect(t.device.users.get(77)?.enabled).toBe(false);
      for (const t of [a, b, c, d]) t.stop();
    } finally {
      await srv.stop();
    }
  });

  test("a pull is judged like a keypad: what it would raise or replace for people the site has is held; new people are added, a new terminal admin held", async () => {
    const srv = await startTm20();
    try {
      const created = await call(srv, "POST", "/api/v1/people", { enrollid: 7, name: "Gus", admin: 0, credentials: [{ backupnum: 10, data: "1234" }] });
      expect(created.status).toBe(201);
      const device = new SimDevice();
      device.users.set(7, { name: "Gus", admin: 2, enabled: true, credentials: new Map([[10, "9999"]]) });
      device.users.set(40, { name: "Lea", admin: 0, enabled: true, credentials: new Map([[0, simTemplate(40, 0)]]) });
      device.users.set(41, { name: "Max", admin: 1, enabled: true, credentials: new Map([[11, "4141"]]) });
      const t = startSim(srv.ws(), "PULL1", { device });
      await registered(t);
      const pull = await call(srv, "POST", "/api/v1/people/pull", { sn: "PULL1" });
      expect(await jobDone(srv, pull.json.id)).toMatchObject({ status: "succeeded", progress: { total: 4, succeeded: 4, failed: 0 } });

      const person7 = await call(srv, "GET", "/api/v1/people/7");
      expect([person7.json.admin, person7.json.name]).toEqual([0, "Gus"]);
      expect((await call(srv, "GET", "/api/v1/people/40")).json).toMatchObject({ name: "Lea", admin: 0 });
      expect((await call(srv, "GET", "/api/v1/people/41")).status).toBe(404);
      const held = await call(srv, "GET", "/api/v1/held-changes");
      expect((held.json.items as Json[]).map((h) => [h.enrollid, h.sn, h.via, h.admin, h.previousAdmin, h.reasons])).toEqual([
        [7, "PULL1", "getuserinfo", 2, 0, ["admin-raised", "credential-replaced"]],
        [41, "PULL1", "getuserinfo", 1, null, ["new-person", "admin-raised"]],
      ]);
      const db = srv.db();
      expect(db.query("SELECT enrollid, backupnum, data FROM credentials ORDER BY enrollid, backupnum").all()).toEqual([
        { enrollid: 7, backupnum: 10, data: "1234" },
        { enrollid: 40, backupnum: 0, data: simTemplate(40, 0) },
      ]);
      expect(db.query("SELECT target, result FROM audit_log WHERE actor = 'terminal:PULL1' ORDER BY target").all()).toEqual([
        { target: "person:40", result: "applied" },
        { target: "person:41", result: "held" },
        { target: "person:7", result: "held" },
      ]);
      db.close();
      t.stop();
    } finally {
      await srv.stop();
    }
  });

  test("getalllog paging over 10,000 logs stores each once, alongside the logs that also came by sendlog", async () => {
    const srv = await startTm20();
    try {
      const device = new SimDevice();
      const logs: SimRecord[] = [];
      for (let k = 0; k < 10_000; k++) logs.push(simRecord(k, START));
      device.addLogs(logs);
      let acked = 0;
      const t = startSim(srv.ws(), "LOGS1", { device, records: 3000, batchSize: 50, onAck: (_sn, r) => (acked += r.length) });
      await until("3,000 records by sendlog", () => acked === 3000);

      const fetch = await call(srv, "POST", "/api/v1/terminals/LOGS1/fetch-logs", { from: "2026-3-1", to: "2026-03-01" });
      expect(fetch.status).toBe(202);
      const job = await jobDone(srv, fetch.json.id);
      expect(job).toMatchObject({ kind: "fetch-logs", status: "succeeded", progress: { total: 1, succeeded: 1 } });
      const cmd = (await call(srv, "GET", `/api/v1/terminals/LOGS1/commands?status=succeeded`)).json.items as Json[];
      const getalllog = cmd.find((c) => c.command === "getalllog");
      expect(getalllog?.answer).toEqual({ pages: 200, count: 10_000, received: 10_000, stop: "complete", inserted: 7000, duplicates: 3000, quarantined: 0 });
      expect(commandsReceived(t, "getalllog").map((m) => m.stn)).toEqual([true, ...Array.from({ length: 199 }, () => false)]);

      const db = srv.db();
      const rows = db.query("SELECT enrollid, time, mode, inout, event FROM attendance WHERE sn = 'LOGS1'").all() as SimRecord[];
      db.close();
      expect(rows.length).toBe(10_000);
      const key = (r: SimRecord) => `${r.enrollid}|${r.time}|${r.mode}|${r.inout}|${r.event}`;
      expect(new Set(rows.map(key))).toEqual(new Set(logs.map(key)));
      t.stop();
    } finally {
      await srv.stop();
    }
  });
});
