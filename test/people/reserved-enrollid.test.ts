/**
 * The enroll ids the terminals write on scans of nobody enrolled (99999998, 99999999; PROTOCOL.md
 * §7.5) are no person's: every door that creates people (the API, the admin UI's form, a CSV
 * import) refuses them with the same words, naming the field its own way; an import never gives
 * one out; a person an older version stored under one keeps working (in-process server, real SQLite).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { dataDirLayout } from "../../src/store/data-dir.ts";
import { API_TOKEN, buildApp, type InProcessApp } from "../helpers/app.ts";

let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp();
});
afterAll(() => app.stop());

const apiError = async (res: Response) => ({ status: res.status, body: (await res.json()) as unknown });
const flashText = (res: Response) => {
  const cookie = /tm20_flash=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return cookie ? (JSON.parse(decodeURIComponent(decodeURIComponent(cookie))) as { kind: string; text: string }) : null;
};
const csvImport = async (csv: string, dryRun: boolean) => {
  const res = await app.request(`/api/v1/people/import${dryRun ? "?dry_run=true" : ""}`, { method: "POST", body: csv, headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "text/csv" } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const enrollids = async () => (await app.store.people.all()).map((p) => p.enrollid);

describe("99999998 and 99999999 are reserved for scans of nobody enrolled", () => {
  test("the API refuses them, naming the field as its body does; 99999997 is anyone's", async () => {
    for (const enrollid of [99999998, 99999999]) {
      expect(await apiError(await app.api("POST", "/people", { enrollid, name: "Nobody", credentials: [{ backupnum: 10, data: "1234" }] }))).toEqual({
        status: 400,
        body: { code: "bad_request", message: `enrollid: ${enrollid} is reserved by the terminals for scans of nobody enrolled` },
      });
    }
    expect((await app.api("POST", "/people", { enrollid: 99999997, name: "Last Before" })).status).toBe(201);
    expect(await enrollids()).toEqual([99999997]);
    expect(await app.store.credentialsOf(99999998)).toEqual([]);
  });

  test("the admin UI's form refuses them by its label, as a sentence, and stores nothing", async () => {
    const res = await app.form("/people", { enrollid: "99999999", name: "Nobody", admin: "0", enabled: "on", validFrom: "", validTo: "", externalId: "" });
    expect(res.status).toBe(303);
    expect(flashText(res)).toMatchObject({ kind: "error", text: "Enroll id: 99999999 is reserved by the terminals for scans of nobody enrolled." });
    expect(await enrollids()).toEqual([99999997]);
  });

  test("a CSV import's dry run refuses the row by its line, and gives no one a reserved id", async () => {
    const csv = "external_id,name,enrollid\nE-1,Ada Lovelace,99999998\nE-2,Grace Hopper,\nE-3,Ken Thompson,99999999\n";
    const dry = await csvImport(csv, true);
    expect(dry.status).toBe(200);
    expect(dry.json.summary).toEqual({ creates: 1, updates: 0, disables: 0, unchanged: 0, errors: 2 });
    expect(dry.json.errors).toEqual([
      { line: 2, external_id: "E-1", message: "enrollid: 99999998 is reserved by the terminals for scans of nobody enrolled" },
      { line: 4, external_id: "E-3", message: "enrollid: 99999999 is reserved by the terminals for scans of nobody enrolled" },
    ]);
    // The next free id after 99999997 skips the two reserved ones.
    expect(dry.json.creates).toEqual([{ enrollid: 100000000, external_id: "E-2", line: 3, name: "Grace Hopper", changes: {} }]);
    expect(await enrollids()).toEqual([99999997]);
    const applied = await csvImport(csv, false);
    expect([applied.json.summary, await enrollids()]).toEqual([{ creates: 1, updates: 0, disables: 0, unchanged: 0, errors: 2 }, [99999997, 100000000]]);
  });

  test("a new person an older release held under one cannot be approved, by the API or the admin UI; rejecting it still works", async () => {
    // What a release before the reservation stored for a terminal's senduser of a new person under a reserved id.
    const db = new Database(dataDirLayout(app.dataDir).db);
    const hold = (enrollid: number) =>
      Number(
        db
          .query<{ id: number }, [number, number]>(`INSERT INTO held_changes (at, sn, remote_addr, via, enrollid, name, admin, backupnum, data, reasons, previous_name, previous_admin)
                  VALUES (?, 'OLD-SN', '10.0.0.9', 'senduser', ?, 'Ghost', 1, 10, '4321', '["admin-raised","credential-added"]', NULL, NULL) RETURNING id`)
          .get(Date.now(), enrollid)?.id,
      );
    const [viaApi, viaUi] = [hold(99999999), hold(99999998)];
    db.close();
    const before = await enrollids();
    expect(await apiError(await app.api("POST", `/held-changes/${viaApi}/approve`))).toEqual({
      status: 400,
      body: { code: "bad_request", message: "enrollid: 99999999 is reserved by the terminals for scans of nobody enrolled" },
    });
    const res = await app.form(`/people/held/${viaUi}/approve`);
    expect(res.status).toBe(303);
    expect(flashText(res)).toMatchObject({ kind: "error", text: "Enroll id: 99999998 is reserved by the terminals for scans of nobody enrolled." });
    expect(await enrollids()).toEqual(before);
    expect(before).toEqual([99999997, 100000000]);
    expect(await app.store.credentialsOf(99999999)).toEqual([]);
    expect((await app.store.people.heldChanges({ limit: 10 })).items.map((h) => h.id)).toEqual([viaApi, viaUi]);
    expect((await app.api("POST", `/held-changes/${viaApi}/reject`)).status).toBe(200);
    const rejected = await app.form(`/people/held/${viaUi}/reject`);
    expect(flashText(rejected)).toMatchObject({ kind: "ok", text: "Change for #99999998 rejected; the terminal it came from keeps its own copy." });
    expect((await app.store.people.heldChanges({ limit: 10 })).items).toEqual([]);
    expect(await enrollids()).toEqual(before);
  });

  test("a person an older version stored under one keeps working: changed over the API, linked and updated by an import", async () => {
    const input = { name: "Old Nobody", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null };
    await app.store.people.save(99999998, input, Date.now());
    const patched = await app.api("PATCH", "/people/99999998", { name: "Old Somebody" });
    expect(patched.status).toBe(200);
    const dry = await csvImport("external_id,name,enrollid\nE-9,Old Somebody (HR),99999998\n", true);
    expect([dry.json.summary, dry.json.errors]).toEqual([{ creates: 0, updates: 1, disables: 0, unchanged: 0, errors: 0 }, []]);
    expect(dry.json.updates).toEqual([
      { enrollid: 99999998, external_id: "E-9", line: 2, name: "Old Somebody (HR)", changes: { name: ["Old Somebody", "Old Somebody (HR)"], externalId: [null, "E-9"] } },
    ]);
  });
});
