/**
 * What the live-progress islands read and start from (in-process server, real SQLite): a command
 * queued from a terminal's page comes back in the flash with its island (label, id, "queued"), and
 * `/commands/{id}.json` follows it through sent to answered or failed; a job's page carries its bar
 * as an island (no meta refresh), and `/jobs/{id}.json` gives the same counts as the job moves.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { SESSION_COOKIE } from "../../src/ui/auth-guard.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
let app: InProcessApp;

beforeEach(async () => {
  app = await buildApp();
  await app.store.write([{ type: "terminal-seen" as const, sn: "T1", at: T0, sessionId: "s-T1", remoteAddr: "10.0.0.66", cpusn: "CPU-T1", devinfo: null, approvalIfNew: "approved" as const, online: false }]);
});
afterEach(() => app.stop());

const json = async (path: string) => {
  const res = await app.page(path);
  return { status: res.status, body: (await res.json()) as unknown };
};
/** The island's props as the page wrote them. */
const propsOf = (html: string, island: string) => JSON.parse((new RegExp(`data-island="${island}" data-props="([^"]*)"`).exec(html)?.[1] ?? "null").replaceAll("&quot;", '"')) as unknown;

test("a command from a terminal's page: its island in the flash, then its status as it moves", async () => {
  const res = await app.form("/terminals/T1/commands", { action: "opendoor" });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/terminals/T1");
  const [row] = (await app.store.commands.list({ sn: "T1", limit: 10 })).items;
  const id = row?.id ?? 0;
  const flash = /tm20_flash=[^;]*/.exec(res.headers.get("set-cookie") ?? "")?.[0] ?? "";
  const page = await (await app.page("/terminals/T1", { cookie: `${SESSION_COOKIE}=in-process-test-session; ${flash}` })).text();
  expect(page).toContain(`Open door: command #${id} queued until the terminal connects.`);
  expect(propsOf(page, "live-command")).toEqual({ id, status: "queued", reason: null, attempts: 0, label: "Open door" });
  expect(page).toContain('<span class="badge badge-info" data-words="">queued</span>');

  expect(await json(`/commands/${id}.json`)).toEqual({ status: 200, body: { id, status: "queued", reason: null, attempts: 0 } });
  await app.store.commands.transition(id, ["queued"], { status: "sent", at: T0 + 1000, attempts: 1 });
  expect(await json(`/commands/${id}.json`)).toEqual({ status: 200, body: { id, status: "sent", reason: null, attempts: 1 } });
  await app.store.commands.transition(id, ["sent"], { status: "failed", at: T0 + 2000, reason: "the terminal answered result false" });
  expect(await json(`/commands/${id}.json`)).toEqual({ status: 200, body: { id, status: "failed", reason: "the terminal answered result false", attempts: 1 } });
  expect(await json("/commands/999.json")).toEqual({ status: 404, body: { code: "not_found", message: "No such command." } });
});

test("a job's page: its bar is an island, and its poll follows the commands", async () => {
  expect((await app.api("POST", "/people", { enrollid: 3, name: "Ann Archer" })).status).toBe(201);
  expect((await app.form("/people/3/credentials/11", { card: "12345678" })).status).toBe(303);
  const push = (await (await app.api("POST", "/people/push", { enrollids: [3], terminals: ["T1"] })).json()) as { id: number };
  const page = await (await app.page(`/jobs/${push.id}`)).text();
  expect(page).not.toContain('http-equiv="refresh"');
  const running = { id: push.id, status: "running", badge: { tone: "info", text: "running" }, summary: "0 of 1 command done", total: 1, done: 0, succeeded: 0, failed: 0, expired: 0 };
  expect(propsOf(page, "live-job")).toEqual(running);
  expect(await json(`/jobs/${push.id}.json`)).toEqual({ status: 200, body: running });

  const [command] = (await app.store.commands.list({ jobId: push.id, limit: 10 })).items;
  expect((await app.api("POST", `/commands/${command?.id}/cancel`)).status).toBe(200);
  expect(await json(`/jobs/${push.id}.json`)).toEqual({
    status: 200,
    body: { id: push.id, status: "failed", badge: { tone: "error", text: "failed" }, summary: "1 of 1 command did not succeed", total: 1, done: 1, succeeded: 0, failed: 0, expired: 1 },
  });
  expect(await json("/jobs/999.json")).toEqual({ status: 404, body: { code: "not_found", message: "No such job." } });
});
