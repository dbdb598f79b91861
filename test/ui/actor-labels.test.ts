/**
 * Issue 17, "words a person understands": who did something is shown as a person reads it on every
 * page that shows it (the audit log, a terminal's command history, the jobs, a day's corrections):
 * a user's name, an API token's name, the command line, the server, a terminal; a deleted user, a
 * revoked or deleted token still named and marked (in-process server, real SQLite).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { actorLabel } from "../../src/ui/actor-labels.ts";
import { hashToken } from "../../src/auth/tokens.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
let app: InProcessApp;

/** Every kind of actor the server writes, and the ones that no longer exist. */
const ACTORS = ["user:admin", "token:api", "cli", "system", "terminal:T1", "user:bob", "token:old", "token:never"];
const LABELS = ["admin", "API token api", "the command line", "the server", "terminal T1", "bob (no such user)", "API token old (revoked)", "API token never (no such token)"];

beforeEach(async () => {
  app = await buildApp();
  await app.store.write([
    { type: "terminal-seen", sn: "T1", at: T0, sessionId: "s-T1", remoteAddr: "10.0.0.66", cpusn: "CPU-T1", devinfo: null, approvalIfNew: "approved", online: false },
  ]);
  // bob was a user and is deleted; "old" was a token and is revoked; "never" was never one.
  const bob = await app.store.admin.createUser({ username: "bob", role: "admin", passwordHash: "not used", at: T0 });
  expect(await app.store.admin.deleteUser(bob?.id ?? 0)).toBe(true);
  const old = await app.store.createToken("old", hashToken("tm20_old"), T0);
  expect(await app.store.revokeToken(old.id, T0)).toBe(true);
});
afterEach(() => app.stop());

const text = (s: string | undefined) => (s ?? "").replace(/<[^>]+>/g, "").replaceAll("&#39;", "'").trim();
/** A table's rows (those with `rowAttr`, or all) as their cells' text. */
function cells(html: string, rowAttr = ""): string[][] {
  return [...html.matchAll(new RegExp(`<tr${rowAttr ? ` ${rowAttr}` : ""}[^>]*>([\\s\\S]*?)</tr>`, "g"))].map((m) => [...(m[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => text(td[1]))).filter((row) => row.length > 0);
}

test("the label of each kind of actor; without what the page knows, nobody is marked gone", () => {
  expect(ACTORS.map((a) => actorLabel(a))).toEqual(["admin", "API token api", "the command line", "the server", "terminal T1", "bob", "API token old", "API token never"]);
  // Something the server does not write is shown as it is rather than guessed at.
  expect(["user:", ":x", "plain"].map((a) => actorLabel(a))).toEqual(["user:", ":x", "plain"]);
});

test("the audit log names each actor in words, its filter link keeps the stored id", async () => {
  for (const [i, actor] of ACTORS.entries()) await app.store.audit({ at: T0 + i, actor, action: `test.${i}`, result: "ok" });
  const html = await (await app.page("/audit")).text();
  expect(cells(html).map((r) => [r[1], r[2]])).toEqual(LABELS.map((label, i) => [label, `test.${i}`]).reverse());
  expect(html).toContain('<a href="/audit?actor=user%3Abob" title="user:bob">bob (no such user)</a>');
  // The filter still takes the stored id.
  const filtered = cells(await (await app.page("/audit?actor=token%3Aold")).text());
  expect(filtered.map((r) => [r[1], r[2]])).toEqual([["API token old (revoked)", "test.6"]]);
});

test("a terminal's command history says who queued each command", async () => {
  await app.store.commands.enqueue(ACTORS.map((actor, i) => ({ sn: "T1", command: "gettime", params: {}, maxAttempts: 1, deadline: null, actor, jobId: null, at: T0 + i })));
  const html = await (await app.page("/terminals/T1?commands=all")).text();
  expect(cells(html, "data-command=").map((r) => [r[0], r[3]])).toEqual(LABELS.map((label, i) => [String(i + 1), label]).reverse());
});

test("the jobs list and a job's page say who started it", async () => {
  for (const [i, actor] of ACTORS.entries()) await app.store.commands.createJob({ kind: "fetch-logs", target: "terminal:T1", params: { sn: "T1" }, actor, at: T0 + i });
  const list = await (await app.page("/jobs")).text();
  expect(cells(list, "data-job=").map((r) => r[3])).toEqual([...LABELS].reverse());
  for (const [i, label] of LABELS.entries()) {
    const job = await (await app.page(`/jobs/${i + 1}`)).text();
    expect(/<p class="muted">([\s\S]*?)<\/p>/.exec(job)?.[1]?.replace(/\s+/g, " ").trim()).toBe(`Job #${i + 1} · started by ${label} 2026-03-01 09:00:00`);
  }
});

test("a day's corrections say who made each", async () => {
  expect((await app.api("POST", "/people", { enrollid: 1, name: "Ann Archer" })).status).toBe(201);
  for (const [i, by] of ACTORS.entries()) {
    await app.store.timesheets.addCorrection({ kind: "add", enrollid: 1, time: `2026-03-03 0${i}:00:00`, reason: `reason ${i}`, by }, T0 + i);
  }
  const html = await (await app.page("/timesheets/people/1/days/2026-03-03")).text();
  expect(cells(html, "data-correction=").map((r) => [r[1], r[2]])).toEqual(LABELS.map((label, i) => [`reason ${i}`, label]));
});
