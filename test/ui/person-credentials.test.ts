/**
 * A person's credentials from their page (in-process server, real SQLite): a card and a PIN set
 * through the forms, shown masked (never in full), audited like the API's, what each terminal
 * holds, a credential read back from a terminal as a job, refusals as flash messages, and removal.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
let app: InProcessApp;

beforeEach(async () => {
  app = await buildApp();
  await app.store.write([
    { type: "terminal-seen", sn: "T1", at: T0, sessionId: "s-T1", remoteAddr: "10.0.0.66", cpusn: "CPU-T1", devinfo: null, approvalIfNew: "approved", online: false },
  ]);
  expect((await app.api("POST", "/people", { enrollid: 5, name: "Ada" })).status).toBe(201);
});
afterEach(() => app.stop());

function flashOf(res: Response): [string, string] | null {
  const cookie = /tm20_flash=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!cookie) return null;
  const f = JSON.parse(decodeURIComponent(decodeURIComponent(cookie))) as { kind: string; text: string };
  return [f.kind, f.text];
}

/** The Credentials table's rows as [credential, here, on terminals]. */
async function rows(): Promise<string[][]> {
  const html = await (await app.page("/people/5")).text();
  const table = /<table class="table" aria-label="Credentials">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
  return [...table.matchAll(/<tr data-backupnum="\d+">([\s\S]*?)<\/tr>/g)].map((m) =>
    [...(m[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].slice(0, 3).map((td) => (td[1] ?? "").replace(/<[^>]+>/g, "").trim()),
  );
}

test("set a card and a PIN, see them masked and audited, remove them", async () => {
  const empty = await (await app.page("/people/5")).text();
  expect(empty).toContain("None stored. Set a card or PIN below");
  // Labelled fields: the label's for names the input.
  expect(empty).toContain('<label for="f-card">Card number</label>');
  expect(empty).toContain('<label for="f-pin">PIN</label>');
  expect(empty).toMatch(/<input id="f-pin" name="pin" type="password"/);

  const card = await app.form("/people/5/credentials/11", { card: "12345678" });
  expect([card.status, card.headers.get("location"), flashOf(card)]).toEqual([303, "/people/5", ["ok", "Card set."]]);
  const pin = await app.form("/people/5/credentials/10", { pin: "4321" });
  expect([pin.status, flashOf(pin)]).toEqual([303, ["ok", "PIN set."]]);

  const html = await (await app.page("/people/5")).text();
  expect(html).not.toContain("12345678");
  expect(html).not.toContain("4321");
  expect(await rows()).toEqual([
    ["PIN", "****", "none"],
    ["Card", "******78", "none"],
  ]);
  // The same masking as the API's.
  const viaApi = (await (await app.api("GET", "/people/5")).json()) as { credentials: Array<{ masked: string | null }> };
  expect(viaApi.credentials.map((c) => c.masked)).toEqual(["****", "******78"]);

  // A PIN that is not digits is refused with a sentence; nothing changes.
  const bad = await app.form("/people/5/credentials/10", { pin: "12ab" });
  expect([bad.status, flashOf(bad)]).toEqual([303, ["error", "PIN: use 1 to 8 digits."]]);

  const removed = await app.form("/people/5/credentials/10/delete");
  expect(flashOf(removed)).toEqual(["ok", "PIN removed."]);
  expect(flashOf(await app.form("/people/5/credentials/11/delete"))).toEqual(["ok", "Card removed."]);
  expect(await rows()).toEqual([]);
  expect(flashOf(await app.form("/people/5/credentials/11/delete"))).toEqual(["error", "No such credential."]);

  const audit = (await app.store.auditLog({ limit: 100 })).items.reverse().map((e) => [e.actor, e.action, e.target, e.details]);
  expect(audit).toEqual([
    ["token:api", "people.create", "person:5", JSON.stringify({ name: "Ada", admin: 0, enabled: true })],
    ["user:admin", "people.credential.set", "person:5", JSON.stringify({ backupnum: 11 })],
    ["user:admin", "people.credential.set", "person:5", JSON.stringify({ backupnum: 10 })],
    ["user:admin", "people.credential.delete", "person:5", JSON.stringify({ backupnum: 10 })],
    ["user:admin", "people.credential.delete", "person:5", JSON.stringify({ backupnum: 11 })],
  ]);
});

test("what each terminal holds, and a credential read back from a terminal", async () => {
  await app.api("PATCH", "/terminals/T1", { name: "Front door" });
  await app.api("PUT", "/people/5/credentials/11", { data: "99887766" });
  await app.store.people.hold("T1", { enrollid: 5, backupnum: 11, digest: "d1" }, T0);
  await app.store.people.hold("T1", { enrollid: 5, backupnum: 3, digest: "d2" }, T0);
  await app.store.people.hold("T1", { enrollid: 5, backupnum: 20, digest: "d3" }, T0);
  expect(await rows()).toEqual([
    ["Fingerprint 4", "Only on the terminals", "Front door"],
    ["Card", "******66", "Front door"],
    ["Face", "Only on the terminals", "Front door"],
  ]);

  const read = await app.form("/people/5/credentials/pull", { sn: "T1", backupnum: "3" });
  expect([read.status, read.headers.get("location"), flashOf(read)]).toEqual([303, "/jobs/1", ["ok", "Reading the Fingerprint 4 from the terminal."]]);
  const queued = (await app.store.commands.list({ sn: "T1", limit: 10 })).items.map((c) => [c.command, JSON.parse(c.params), c.jobId]);
  expect(queued).toEqual([["getuserinfo", { enrollid: 5, backupnum: 3 }, 1]]);

  const unknown = await app.form("/people/5/credentials/pull", { sn: "NOPE", backupnum: "3" });
  expect(flashOf(unknown)?.[0]).toBe("error");
  const notACredential = await app.form("/people/5/credentials/pull", { sn: "T1", backupnum: "12" });
  expect(flashOf(notACredential)).toEqual(["error", "Credential: choose a fingerprint, PIN, card, face, palm or photo."]);
});
