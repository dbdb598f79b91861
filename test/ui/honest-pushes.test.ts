/**
 * Honest pushes (issue 17): a person without any credential is sent by name alone (`setusername`,
 * at most 50 names a frame), and the import's dry run says so, not "succeeded, 0 of 0". What a
 * terminal answers (taken or refused) is in test/ui/name-only.test.ts. In-process server, real SQLite.
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
  expect((await app.api("POST", "/people", { enrollid: 6, name: "Bob", credentials: [{ backupnum: 11, data: "445566" }] })).status).toBe(201);
});
afterEach(() => app.stop());

function flashOf(res: Response): [string, string] | null {
  const cookie = /tm20_flash=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!cookie) return null;
  const f = JSON.parse(decodeURIComponent(decodeURIComponent(cookie))) as { kind: string; text: string };
  return [f.kind, f.text];
}

interface JobView {
  id: number;
  status: string;
  detail: unknown;
  progress: { total: number };
}

test("a push of someone without a credential sends their name alone; a second push adds nothing while it is on its way", async () => {
  const res = await app.form("/people/5/push", { sn: "T1" });
  expect([res.status, res.headers.get("location"), flashOf(res)]).toEqual([303, "/jobs/1", ["ok", "Push started."]]);
  const job = (await (await app.api("GET", "/jobs/1")).json()) as JobView & { nameOnly: unknown };
  expect([job.status, job.progress.total, job.detail, job.nameOnly]).toEqual([
    "running",
    1,
    null,
    { sent: { count: 0, enrollids: [], terminals: 0 }, refused: { count: 0, enrollids: [], terminals: [], frames: 0 }, open: 1, partial: false },
  ]);
  const queued = (await app.store.commands.list({ sn: "T1", limit: 10 })).items.reverse().map((c) => [c.command, JSON.parse(c.params) as unknown]);
  expect(queued).toEqual([["setusername", { record: [{ enrollid: 5, name: "Ada" }] }]]);
  expect(await (await app.page("/jobs/1")).text()).not.toContain("data-without-credential");

  const again = await app.form("/people/5/push", { sn: "T1" });
  expect([again.headers.get("location"), flashOf(again)]).toEqual(["/people/5", ["ok", "The terminals already hold this person."]]);
  expect((await app.store.commands.list({ sn: "T1", limit: 10 })).items.length).toBe(1);

  // With a card the same push sends the card, not the name.
  await app.form("/people/5/credentials/11", { card: "1234" });
  const sent = await app.form("/people/5/push", { sn: "T1" });
  expect([sent.headers.get("location"), flashOf(sent)]).toEqual(["/jobs/3", ["ok", "Push started."]]);
  const third = (await (await app.api("GET", "/jobs/3")).json()) as JobView;
  expect([third.progress.total, third.detail]).toEqual([1, null]);
  expect((await app.store.commands.list({ jobId: 3, limit: 10 })).items.map((c) => c.command)).toEqual(["setuserinfo"]);
});

test("a push of everyone through the API sends the card of one and the name of the other", async () => {
  const res = await app.api("POST", "/people/push", { terminals: ["T1"] });
  expect(res.status).toBe(202);
  const job = (await res.json()) as JobView;
  expect([job.progress.total, job.detail]).toEqual([2, null]);
  const queued = (await app.store.commands.list({ sn: "T1", limit: 10 })).items.reverse().map((c) => [c.command, JSON.parse(c.params) as unknown]);
  expect(queued).toEqual([
    ["setuserinfo", { enrollid: 6, name: "Bob", backupnum: 11, admin: 0, record: "445566" }],
    ["setusername", { record: [{ enrollid: 5, name: "Ada" }] }],
  ]);
});

test("a push of 120 people without a credential goes as frames of at most 50 names", async () => {
  for (let id = 1001; id <= 1120; id++) expect((await app.api("POST", "/people", { enrollid: id, name: `N${id}` })).status).toBe(201);
  const res = await app.api("POST", "/people/push", { enrollids: Array.from({ length: 120 }, (_, i) => 1001 + i), terminals: ["T1"] });
  expect(res.status).toBe(202);
  const frames = (await app.store.commands.list({ sn: "T1", limit: 10 })).items.reverse().map((c) => (JSON.parse(c.params) as { record: Array<{ enrollid: number }> }).record.map((r) => r.enrollid));
  expect(frames.map((f) => [f[0], f.at(-1), f.length])).toEqual([
    [1001, 1050, 50],
    [1051, 1100, 50],
    [1101, 1120, 20],
  ]);
});

test("the import's dry run says new people go to the terminals by name only", async () => {
  const res = await app.form("/integrations/import/csv", [
    ["csv", "external_id,name\nX1,Mallory"],
    ["push_to", "T1"],
  ]);
  expect(res.status).toBe(200);
  const html = (await res.text()).replace(/<!-- -->|\s+/g, " ");
  expect(html).toContain(
    "New people have no card, PIN, fingerprint or face yet (an import brings none), so they are sent to T1 by name only: listed there, they cannot verify until each has a card or PIN (set on their page). A terminal that does not take name-only users gets nothing, and the job says so.",
  );
  expect(html).not.toContain("New people go to");
});

test("a terminal that refused names: its page says so, and Ask again forgets it, so the next push sends the name; with nothing to forget, 409", async () => {
  expect(await (await app.page("/terminals/T1")).text()).not.toContain("data-name-refusal");
  await app.store.people.refuseNames("T1", T0);
  const refused = await app.form("/people/5/push", { sn: "T1" });
  expect(flashOf(refused)?.[0]).toBe("error");
  expect((await app.store.commands.list({ sn: "T1", limit: 10 })).items.length).toBe(0);
  const html = (await (await app.page("/terminals/T1")).text()).replace(/\s+/g, " ");
  expect(html).toContain(
    "This terminal does not take name-only users: it refused a push&#39;s names on the firmware it runs. People without a card, PIN, fingerprint or face are not sent to it; it is asked again when it registers with other firmware.",
  );
  expect(html).toContain('action="/terminals/T1/ask-names-again"');

  const res = await app.form("/terminals/T1/ask-names-again");
  expect([res.status, res.headers.get("location"), flashOf(res)]).toEqual([
    303,
    "/terminals/T1",
    ["ok", "T1 is sent people by name only again at the next push; if it refuses them, the job says so."],
  ]);
  expect(await app.store.people.namesRefused()).toEqual([]);
  expect(await (await app.page("/terminals/T1")).text()).not.toContain("data-name-refusal");
  const sent = await app.form("/people/5/push", { sn: "T1" });
  expect(flashOf(sent)).toEqual(["ok", "Push started."]);
  expect((await app.store.commands.list({ sn: "T1", limit: 10 })).items.map((c) => [c.command, JSON.parse(c.params) as unknown])).toEqual([
    ["setusername", { record: [{ enrollid: 5, name: "Ada" }] }],
  ]);

  const none = await app.api("POST", "/terminals/T1/ask-names-again");
  expect([none.status, await none.json()]).toEqual([409, { code: "no_name_refusal", message: "T1 has not refused name-only users: there is nothing to ask again" }]);
});
