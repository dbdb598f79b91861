/**
 * Honest pushes (issue 17): a person without any credential a terminal can hold is reported as
 * such (in the job, on the person page, in the import's dry run), not as "succeeded, 0 of 0".
 * In-process server, real SQLite.
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

test("a push of someone without a credential says so, on the person page and in the job", async () => {
  const res = await app.form("/people/5/push", { sn: "T1" });
  expect([res.status, res.headers.get("location"), flashOf(res)]).toEqual([
    303,
    "/people/5",
    ["error", "Nothing was sent: this person has no credential a terminal can hold (no card, PIN, fingerprint or face). Set a card or PIN under Credentials, then push again."],
  ]);
  const job = (await (await app.api("GET", "/jobs/1")).json()) as JobView;
  expect([job.status, job.progress.total, job.detail]).toEqual(["succeeded", 0, { withoutCredential: { count: 1, enrollids: [5] } }]);
  const html = await (await app.page("/jobs/1")).text();
  expect(html).toContain('data-without-credential="1"');
  expect(html).toMatch(/<span class="badge badge-warn"[^>]*>nothing sent<\/span>/);
  expect(html.replace(/<!-- -->|\s+/g, " ")).toContain("1 person has no credential a terminal can hold (no card, PIN, fingerprint or face), so nothing was sent for them (enroll id 5).");

  // With a card the same push sends it and names no one.
  await app.form("/people/5/credentials/11", { card: "1234" });
  const sent = await app.form("/people/5/push", { sn: "T1" });
  expect([sent.headers.get("location"), flashOf(sent)]).toEqual(["/jobs/2", ["ok", "Push started."]]);
  const second = (await (await app.api("GET", "/jobs/2")).json()) as JobView;
  expect([second.progress.total, second.detail]).toEqual([1, null]);
  expect(await (await app.page("/jobs/2")).text()).not.toContain("data-without-credential");
});

test("a push of everyone through the API names those without a credential", async () => {
  const res = await app.api("POST", "/people/push", { terminals: ["T1"] });
  expect(res.status).toBe(202);
  const job = (await res.json()) as JobView;
  expect([job.progress.total, job.detail]).toEqual([1, { withoutCredential: { count: 1, enrollids: [5] } }]);
  const queued = (await app.store.commands.list({ sn: "T1", limit: 10 })).items.map((c) => [c.command, (JSON.parse(c.params) as { enrollid: number }).enrollid]);
  expect(queued).toEqual([["setuserinfo", 6]]);
});

test("the import's dry run says new people cannot reach a terminal yet", async () => {
  const res = await app.form("/integrations/import/csv", [
    ["csv", "external_id,name\nX1,Mallory"],
    ["push_to", "T1"],
  ]);
  expect(res.status).toBe(200);
  const html = (await res.text()).replace(/<!-- -->|\s+/g, " ");
  expect(html).toContain(
    "New people have no card, PIN, fingerprint or face yet (an import brings none), so no terminal can hold them and nothing is sent to T1 now: give each a card or PIN on their page, then push them from there.",
  );
  expect(html).not.toContain("New people go to");
});
