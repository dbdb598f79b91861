/**
 * People over the API: create with credentials, masking, push, rename and delete carried to the
 * terminal that holds the person, validation, and the audit trail (never the secrets).
 */
import { expect, test } from "bun:test";
import { simTemplate } from "../../src/simulator/device.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { commandsReceived, registered, startSim, until } from "../helpers/sim.ts";

type Json = Record<string, unknown>;

async function call(srv: Tm20Process, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await srv.api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  return { status: res.status, json: (await res.json()) as Json };
}

const jobDone = (srv: Tm20Process, id: unknown) =>
  until(`job ${String(id)}`, async () => {
    const { json } = await call(srv, "GET", `/api/v1/jobs/${String(id)}`);
    return json.status !== "running" ? json : undefined;
  });

test("people CRUD: masked credentials, changes carried to holders, audit without secrets", async () => {
  const srv = await startTm20();
  try {
    const t = startSim(srv.ws(), "PPL1");
    await registered(t);
    const template = simTemplate(5, 0);
    const created = await call(srv, "POST", "/api/v1/people", {
      enrollid: 5, name: "Eve", externalId: "HR-5", validTo: "2026-12-31",
      credentials: [{ backupnum: 0, data: template }, { backupnum: 10, data: "8642" }, { backupnum: 11, data: "0012345678" }],
    });
    expect(created).toEqual({
      status: 201,
      json: {
        enrollid: 5, name: "Eve", admin: 0, enabled: true, validFrom: null, validTo: "2026-12-31", externalId: "HR-5", departmentId: null,
        createdAt: expect.any(Number), updatedAt: expect.any(Number),
        credentials: [
          { backupnum: 0, kind: "fingerprint", size: 1400, masked: null },
          { backupnum: 10, kind: "password", size: 4, masked: "****" },
          { backupnum: 11, kind: "card", size: 10, masked: "********78" },
        ],
        terminals: [],
      },
    });
    expect((await call(srv, "POST", "/api/v1/people", { enrollid: 5, name: "Dup" })).status).toBe(409);
    expect(await call(srv, "POST", "/api/v1/people", { enrollid: 6, name: "X", credentials: [{ backupnum: 10, data: "12ab" }] })).toEqual({
      status: 400, json: { code: "bad_request", message: "credentials: a password is 1 to 8 digits" },
    });
    expect((await call(srv, "POST", "/api/v1/people", { enrollid: 6, name: "X", pin: "1" })).status).toBe(400);
    expect((await call(srv, "GET", "/api/v1/people?q=eve")).json.items as Json[]).toMatchObject([{ enrollid: 5, backupnums: [0, 10, 11] }]);

    const push = await call(srv, "POST", "/api/v1/people/push", { enrollids: [5], terminals: ["PPL1"] });
    expect(await jobDone(srv, push.json.id)).toMatchObject({ status: "succeeded", progress: { total: 3, succeeded: 3 } });
    expect(t.device.users.get(5)).toEqual({ name: "Eve", admin: 0, enabled: true, credentials: new Map([[0, template], [10, "8642"], [11, "0012345678"]]) });

    // A rename re-sends the credentials (they carry the name); the terminal follows.
    const renamed = await call(srv, "PATCH", "/api/v1/people/5", { name: "Eve Ng" });
    expect(renamed.json.person).toMatchObject({ name: "Eve Ng", terminals: ["PPL1"] });
    await jobDone(srv, (renamed.json.job as Json).id);
    expect(t.device.users.get(5)?.name).toBe("Eve Ng");

    // Removing the card removes it from the terminal.
    const uncard = await call(srv, "DELETE", "/api/v1/people/5/credentials/11");
    await jobDone(srv, (uncard.json.job as Json).id);
    expect([...(t.device.users.get(5)?.credentials.keys() ?? [])]).toEqual([0, 10]);

    const deleted = await call(srv, "DELETE", "/api/v1/people/5");
    expect(deleted.json).toMatchObject({ deleted: true, job: { kind: "push", progress: { total: 1 } } });
    await jobDone(srv, (deleted.json.job as Json).id);
    expect(t.device.users.has(5)).toBe(false);
    expect(commandsReceived(t, "deleteuser").map((m) => [m.enrollid, m.backupnum])).toEqual([[5, 11], [5, 13]]);
    expect((await call(srv, "GET", "/api/v1/people/5")).status).toBe(404);

    const db = srv.db();
    const audit = db.query("SELECT actor, action, target, details, result FROM audit_log WHERE action LIKE 'people.%' ORDER BY id").all() as Json[];
    db.close();
    expect(audit.map((a) => [a.actor, a.action, a.target, a.result])).toEqual([
      ["token:test", "people.create", "person:5", "ok"],
      ["token:test", "people.credential.set", "person:5", "ok"],
      ["token:test", "people.credential.set", "person:5", "ok"],
      ["token:test", "people.credential.set", "person:5", "ok"],
      ["token:test", "people.push", "person:5", "started"],
      ["token:test", "people.push.finished", "person:5", "ok"],
      ["token:test", "people.update", "person:5", "ok"],
      ["token:test", "people.push", "person:5", "started"],
      ["token:test", "people.push.finished", "person:5", "ok"],
      ["token:test", "people.credential.delete", "person:5", "ok"],
      ["token:test", "people.push", "person:5", "started"],
      ["token:test", "people.push.finished", "person:5", "ok"],
      ["token:test", "people.delete", "person:5", "ok"],
      ["token:test", "people.push", "person:5", "started"],
      ["token:test", "people.push.finished", "person:5", "ok"],
    ]);
    const everything = JSON.stringify(audit);
    for (const secret of ["8642", "0012345678", template.slice(0, 32)]) expect(everything).not.toContain(secret);
    t.stop();
  } finally {
    await srv.stop();
  }
});

test("reboot succeeds when sent; the terminal comes back and takes the next command", async () => {
  const srv = await startTm20();
  try {
    const t = startSim(srv.ws(), "RBT1");
    await registered(t);
    const reboot = await call(srv, "POST", "/api/v1/terminals/RBT1/commands", { command: "reboot", params: {} });
    const after = await call(srv, "POST", "/api/v1/terminals/RBT1/commands", { command: "getdevinfo", params: {} });
    const done = await until("getdevinfo after the reboot", async () => {
      const c = (await call(srv, "GET", `/api/v1/commands/${String(after.json.id)}`)).json;
      return c.status === "succeeded" ? c : undefined;
    });
    const r = (await call(srv, "GET", `/api/v1/commands/${String(reboot.json.id)}`)).json;
    expect(r).toMatchObject({ status: "succeeded", answer: null, attempts: 1 });
    expect((r.history as Json[]).map((h) => [h.status, h.detail])).toEqual([
      ["queued", "by token:test"],
      ["sent", "attempt 1 of 1"],
      ["succeeded", "sent (no answer expected)"],
    ]);
    expect(t.stats.reboots).toBe(1);
    // Nothing more went to the socket of the unit going down: the next command went out once, after it came back.
    expect(done).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(commandsReceived(t, "getdevinfo").length).toBe(1);
    t.stop();
  } finally {
    await srv.stop();
  }
});
