/**
 * A group's whole member list in one request (PUT /api/v1/groups/{id}/terminals), the same use
 * case as the admin UI's checkbox list: the missing join, the others leave, each change audited;
 * an unknown serial number or a malformed body changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { registered, startSim } from "../helpers/sim.ts";

type Json = Record<string, unknown>;
const SNS = ["GMA", "GMB", "GMC", "GMD"];
let srv: Tm20Process;
let sims: Array<ReturnType<typeof startSim>>;

beforeAll(async () => {
  srv = await startTm20();
  sims = SNS.map((sn) => startSim(srv.ws(), sn));
  for (const t of sims) await registered(t);
});
afterAll(async () => {
  for (const t of sims ?? []) t.stop();
  await srv?.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await srv.api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  return { status: res.status, json: (await res.json()) as Json };
}
const audited = (action: string) => {
  const db = srv.db();
  try {
    return db
      .query("SELECT details FROM audit_log WHERE action = ? ORDER BY id")
      .all(action)
      .map((r) => (JSON.parse((r as { details: string }).details) as { sn: string }).sn);
  } finally {
    db.close();
  }
};

describe("a group's members set at once", () => {
  test("three join, then two leave as one joins; unknown or malformed input changes nothing", async () => {
    const group = await call("POST", "/api/v1/groups", { name: "Hall", sync: false });
    expect(group.status).toBe(201);
    const path = `/api/v1/groups/${String(group.json.id)}/terminals`;

    const first = await call("PUT", path, { terminals: ["GMA", "GMB", "GMC", "GMA"] });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ added: ["GMA", "GMB", "GMC"], removed: [], jobs: [] });
    expect((first.json.group as Json).members).toEqual(["GMA", "GMB", "GMC"]);

    const second = await call("PUT", path, { terminals: ["GMC", "GMD"] });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ added: ["GMD"], removed: ["GMA", "GMB"], jobs: [] });
    expect(((second.json.group as Json).members as string[]).toSorted()).toEqual(["GMC", "GMD"]);
    expect(audited("groups.add-terminal")).toEqual(["GMA", "GMB", "GMC", "GMD"]);
    expect(audited("groups.remove-terminal")).toEqual(["GMA", "GMB"]);

    const unknown = await call("PUT", path, { terminals: ["GMA", "NOPE"] });
    expect(unknown).toEqual({ status: 404, json: { code: "not_found", message: "no terminal with the serial number NOPE" } });
    const malformed = await call("PUT", path, { terminals: "GMA" });
    expect(malformed.status).toBe(400);
    const tooLong = await call("PUT", path, { terminals: ["x".repeat(65)] });
    expect(tooLong.status).toBe(400);
    const noGroup = await call("PUT", "/api/v1/groups/999999/terminals", { terminals: [] });
    expect(noGroup.status).toBe(404);
    expect((((await call("GET", `/api/v1/groups/${String(group.json.id)}`)).json.members as string[]) ?? []).toSorted()).toEqual(["GMC", "GMD"]);
    expect(audited("groups.add-terminal")).toHaveLength(4);
  });
});
