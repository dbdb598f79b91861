/**
 * Counts say their noun in the singular when there is one (in-process server, real SQLite): the
 * dashboard's ingest card and terminal card, a job's progress of one command.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp();
  await app.store.write([
    { type: "terminal-seen", sn: "T1", at: Date.now(), sessionId: "s-T1", remoteAddr: "10.0.0.66", cpusn: "CPU-T1", devinfo: null, approvalIfNew: "approved", online: false },
  ]);
});
afterAll(() => app.stop());

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

test("the dashboard: 1 record in the last hour, of 1 terminal", async () => {
  app.bus.emit("records-committed", { sn: "T1", inserted: 1, duplicates: 0, quarantined: 0 });
  const html = await (await app.page("/")).text();
  expect(text(html)).toContain(" 1 record in the last hour ");
  expect(html).toContain("<title>1 record</title>");
  expect(text(html)).toContain(" of 1 terminal ");
  expect(text(html)).toContain(" records in the last 24 h ");
});

test("a job of one command: of 1 command done", async () => {
  expect((await app.api("POST", "/people", { enrollid: 5, name: "Ada", credentials: [{ backupnum: 10, data: "1234" }] })).status).toBe(201);
  const pushed = await app.api("POST", "/people/push", { enrollids: [5], terminals: ["T1"] });
  const job = ((await pushed.json()) as { id: number }).id;
  expect(text(await (await app.page(`/jobs/${job}`)).text())).toContain(" 0 of 1 command done · ");
});
