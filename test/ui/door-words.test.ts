/**
 * The door pages speak to a site admin, not a protocol reader: the door board and a terminal's
 * door settings name no protocol frame (setdevlock, getdevlock, lockctrl) or terminal dialect
 * (in-process server, real SQLite).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";
import { text } from "../helpers/html.ts";

let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp();
  await app.store.write([{ type: "terminal-seen", sn: "FRONT", at: Date.now(), sessionId: "s-front", remoteAddr: "10.0.0.66", cpusn: null, devinfo: null, approvalIfNew: "approved", online: false }]);
});
afterAll(() => app.stop());

const PROTOCOL_WORDS = /setdevlock|getdevlock|lockctrl|AiFace|frame/i;

test("the door board says why Always open is missing without protocol words", async () => {
  const page = text(await (await app.page("/doors")).text());
  expect(page).toContain("“Always open / always closed” is not offered: these terminals have no command for it that the server could rely on.");
  expect(page).not.toMatch(PROTOCOL_WORDS);
});

test("a terminal's door settings say what Save does without protocol words", async () => {
  const html = await (await app.page("/terminals/FRONT")).text();
  const section = text(/<section class="panel" aria-labelledby="door-settings-h">[\s\S]*?<\/section>/.exec(html)?.[0] ?? "");
  expect(section).toContain("Only the settings that differ from what the terminal last reported are sent, then read back from the terminal.");
  expect(section).not.toMatch(PROTOCOL_WORDS);
});
