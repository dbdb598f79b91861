/**
 * A person deleted from their page lands on the People list (their page is gone), saying whom and
 * how many terminals drop them, with a link to that job when one was queued (in-process server,
 * real SQLite).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
let app: InProcessApp;

beforeEach(async () => {
  app = await buildApp();
  const seen = (sn: string) =>
    ({ type: "terminal-seen" as const, sn, at: T0, sessionId: `s-${sn}`, remoteAddr: "10.0.0.66", cpusn: `CPU-${sn}`, devinfo: null, approvalIfNew: "approved" as const, online: false });
  await app.store.write([seen("T1"), seen("T2")]);
  expect((await app.api("POST", "/people", { enrollid: 5, name: "Ada Lovelace" })).status).toBe(201);
  expect((await app.api("POST", "/people", { enrollid: 6, name: "" })).status).toBe(201);
});
afterEach(() => app.stop());

function flashOf(res: Response): unknown {
  const cookie = /tm20_flash=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return cookie ? JSON.parse(decodeURIComponent(decodeURIComponent(cookie))) : null;
}

test("held by two terminals: the People list, the removal from both linked", async () => {
  for (const sn of ["T1", "T2"]) await app.store.people.hold(sn, { enrollid: 5, backupnum: 11, digest: "d1" }, T0);
  const res = await app.form("/people/5/delete");
  const job = (await app.store.commands.list({ sn: "T1", limit: 10 })).items[0]?.jobId;
  expect(job).toBeNumber();
  expect([res.status, res.headers.get("location"), flashOf(res)]).toEqual([
    303,
    "/people",
    { kind: "ok", text: "Deleted Ada Lovelace (enroll id 5). Removing from 2 terminals.", link: { href: `/jobs/${job}`, text: "See the removal" } },
  ]);
  expect(await app.store.getPerson(5)).toBeNull();
});

test("held by one terminal, or by none; a person without a name is said by enroll id", async () => {
  await app.store.people.hold("T1", { enrollid: 6, backupnum: 11, digest: "d1" }, T0);
  const one = await app.form("/people/6/delete");
  expect([one.headers.get("location"), (flashOf(one) as { text: string }).text]).toEqual(["/people", "Deleted enroll id 6. Removing from 1 terminal."]);
  const none = await app.form("/people/5/delete");
  expect([none.status, none.headers.get("location"), flashOf(none)]).toEqual([303, "/people", { kind: "ok", text: "Deleted Ada Lovelace (enroll id 5)." }]);
  const again = await app.form("/people/5/delete");
  expect((flashOf(again) as { kind: string }).kind).toBe("error");
});
