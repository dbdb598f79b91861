/**
 * Visitor passes in cluster mode (issue 16): two `tm20 serve --cluster` instances on PostgreSQL
 * and Redis (test/helpers/cluster.ts). Doors on different instances scanning the same pass at
 * the same moment get exactly its uses left, never more; a revoke made through one instance
 * refuses the pass at a door of the other at once; a unit that resends a scan to the other
 * instance (its connection moved) gets the same answer without a second use.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Cluster, startCluster, terminalOn, until } from "../helpers/cluster.ts";
import type { TestTerminal } from "../helpers/terminal.ts";

let c: Cluster;
const A = 0;
const B = 1;

beforeAll(async () => {
  c = await startCluster({ instances: 2, args: ["--tz", "UTC"] });
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 19).replace("T", " ");

async function pass(name: string, terminals: string[], uses: number | null): Promise<{ id: number; code: string }> {
  const res = await c.api(A, "/api/v1/access/passes", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, validFrom: inHours(-1), validTo: inHours(1), terminals, uses }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: number; code: string };
  return { id: body.id, code: body.code };
}

function scan(t: TestTerminal, sn: string, code: string): Promise<Record<string, unknown>> {
  t.send({ cmd: "sendqrcode", sn, record: code });
  return t.next((m) => m.ret === "sendqrcode", 15_000);
}

const usedInStore = async (id: number) => Number(((await c.sql`SELECT used FROM access_passes WHERE id = ${id}`) as Array<{ used: string }>)[0]?.used);

/** Instance B knows the pass once a door the pass does not open names it (no use spent). */
async function knownOnB(t: TestTerminal, sn: string, name: string) {
  await until(`instance B knows pass "${name}"`, async () => (await scan(t, sn, (await passByName(name)).code)).username === name, 30_000, 200);
}

const passes = new Map<string, { id: number; code: string }>();
async function passByName(name: string) {
  const p = passes.get(name);
  if (!p) throw new Error(`no pass ${name}`);
  return p;
}

describe("visitor passes across two instances", () => {
  test("a single-use pass scanned at once by a door on each instance admits exactly one; a 3-use pass by 8 doors admits exactly 3", async () => {
    const onA = [await terminalOn(c, A, "DA1"), await terminalOn(c, A, "DA2"), await terminalOn(c, A, "DA3"), await terminalOn(c, A, "DA4")];
    const onB = [await terminalOn(c, B, "DB1"), await terminalOn(c, B, "DB2"), await terminalOn(c, B, "DB3"), await terminalOn(c, B, "DB4")];
    const probe = await terminalOn(c, B, "PROBE");
    const doors = ["DA1", "DA2", "DA3", "DA4", "DB1", "DB2", "DB3", "DB4"];

    const rounds = 12;
    for (let i = 0; i < rounds; i++) passes.set(`Single ${i}`, await pass(`Single ${i}`, doors, 1));
    passes.set("Three", await pass("Three", doors, 3));
    await knownOnB(probe, "PROBE", "Three");

    for (let i = 0; i < rounds; i++) {
      const p = await passByName(`Single ${i}`);
      const [a, b] = await Promise.all([scan(onA[0] as TestTerminal, "DA1", p.code), scan(onB[0] as TestTerminal, "DB1", p.code)]);
      expect([a.access, b.access].sort()).toEqual([0, 1]);
      expect([a.message, b.message].sort()).toEqual(["Pass used up", `Welcome Single ${i}`]);
      expect(await usedInStore(p.id)).toBe(1);
    }

    const three = await passByName("Three");
    const all = await Promise.all([...onA.map((t, i) => scan(t, `DA${i + 1}`, three.code)), ...onB.map((t, i) => scan(t, `DB${i + 1}`, three.code))]);
    expect(all.map((m) => m.access).sort()).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(all.filter((m) => m.access === 0).map((m) => m.message)).toEqual(Array(5).fill("Pass used up"));
    expect(await usedInStore(three.id)).toBe(3);
    expect(Number(((await c.sql`SELECT count(*) AS n FROM access_pass_uses WHERE pass_id = ${three.id}`) as Array<{ n: string }>)[0]?.n)).toBe(3);
    for (const t of [...onA, ...onB, probe]) t.close();
  }, 120_000);

  test("revoked through one instance: refused at once at a door of the other; a resend to the other instance is answered the same without a second use", async () => {
    const door = await terminalOn(c, B, "REV");
    passes.set("Unlimited", await pass("Unlimited", ["REV", "MOVER"], null));
    const p = await passByName("Unlimited");
    // Known on B when REV is admitted; that admission is its first use.
    await until("instance B admits the new pass", async () => (await scan(door, "REV", p.code)).access === 1, 30_000, 200);
    const usedBefore = await usedInStore(p.id);

    // MOVER scans on A, loses its connection, and resends the same scan to B within the unit's retry.
    const moverOnA = await terminalOn(c, A, "MOVER");
    expect(await scan(moverOnA, "MOVER", p.code)).toEqual({ ret: "sendqrcode", result: true, access: 1, enrollid: 0, username: "Unlimited", message: "Welcome Unlimited" });
    moverOnA.close();
    const moverOnB = await terminalOn(c, B, "MOVER");
    expect(await scan(moverOnB, "MOVER", p.code)).toEqual({ ret: "sendqrcode", result: true, access: 1, enrollid: 0, username: "Unlimited", message: "Welcome Unlimited" });
    expect(await usedInStore(p.id)).toBe(usedBefore + 1);

    const revoked = await c.api(A, `/api/v1/access/passes/${p.id}/revoke`, { method: "POST" });
    expect(revoked.status).toBe(200);
    expect(await scan(door, "REV", p.code)).toEqual({ ret: "sendqrcode", result: true, access: 0, enrollid: 0, username: "Unlimited", message: "Pass revoked" });
    expect(await usedInStore(p.id)).toBe(usedBefore + 1);
    door.close();
    moverOnB.close();
  }, 120_000);
});
