/**
 * Issue 17, "words a person understands": what an audit entry was about is shown in words, linking
 * its page, for every form of target the use cases write ("person:3", a bare serial number for a
 * terminal's action, a bare id for a level or token, a user name for a login, …); one that no longer
 * exists is named and marked; the names are read once a page per kind, never a row at a time; the
 * target filter still takes the stored target (in-process server, real SQLite).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { hashToken } from "../../src/auth/tokens.ts";
import { targetLabel, targetLabels } from "../../src/ui/target-labels.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
const ALL_DAY = { "1": ["00:00-23:59"], "2": [], "3": [], "4": [], "5": [], "6": [], "7": [] };
let app: InProcessApp;
/** Each entry's action and stored target, and how the audit log shows it (words, its page or none). */
let rows: Array<[action: string, target: string, text: string, href: string | null]>;

beforeEach(async () => {
  app = await buildApp();
  await app.store.write(
    ["T1", "T2"].map((sn) => ({ type: "terminal-seen" as const, sn, at: T0, sessionId: `s-${sn}`, remoteAddr: "10.0.0.66", cpusn: `CPU-${sn}`, devinfo: null, approvalIfNew: "approved" as const, online: false })),
  );
  await app.store.updateTerminal("T1", { name: "Front door" });
  await app.store.people.save(3, { name: "Ann Lee", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null }, T0);
  const group = await app.store.people.createGroup("Office", false, T0);
  const hr = await app.store.createToken("hr", hashToken("tm20_hr"), T0);
  const old = await app.store.createToken("old", hashToken("tm20_old"), T0);
  expect(await app.store.revokeToken(old.id, T0)).toBe(true);
  const schedule = await app.store.access.createSchedule({ name: "Always", days: ALL_DAY, holidaysClosed: false });
  const level = await app.store.access.createLevel({ name: "Main doors", scheduleId: schedule.id, terminals: [], groupIds: [] });
  const department = await app.store.timesheets.createDepartment("Sales");
  rows = [
    ["people.update", "person:3", "Ann Lee (#3)", "/people/3"],
    ["access.person.levels", "3", "Ann Lee (#3)", "/people/3"],
    ["people.delete", "person:9", "person #9 (deleted)", null],
    ["groups.update", `group:${group?.id}`, "group Office", `/groups/${group?.id}/terminals`],
    ["groups.delete", "group:99", "group #99 (deleted)", null],
    ["terminal.update", "T1", "Front door (T1)", "/terminals/T1"],
    ["command.reboot", "T2", "terminal T2", "/terminals/T2"],
    ["timesheets.rules.terminal", "terminal:T1", "Front door (T1)", "/terminals/T1"],
    ["terminal.approve", "GONE", "terminal GONE (deleted)", null],
    ["people.push", "terminals:T1,T2", "2 terminals", null],
    ["login", "admin", "user admin", null],
    ["login", "eve", "user eve (no such user)", null],
    ["token.create", String(hr.id), "API token hr", null],
    ["token.revoke", String(old.id), "API token old (revoked)", null],
    ["token.revoke", "99", "API token #99 (deleted)", null],
    ["access.level.update", String(level.id), "access level Main doors", `/access/levels/${level.id}`],
    ["access.schedule.delete", "42", "access schedule #42 (deleted)", null],
    ["access.pass.revoke", "4", "pass #4", "/access/passes/4"],
    ["timesheets.department.rename", `department:${department.id}`, "department Sales", null],
    ["people.import", "source:77", "import source #77 (deleted)", null],
    ["webhook.dead-letter.retry", "5/17", "webhook #5, dead letter #17", "/integrations/webhooks/5"],
    ["settings.update", "site", "site", null],
  ];
});
afterEach(() => app.stop());

/** Counts the calls of a store object's method (the store a page reads is the one the test holds). */
function counted<T extends object>(calls: string[], name: string, object: T, method: keyof T & string) {
  const original = (object[method] as (...args: unknown[]) => unknown).bind(object);
  Object.assign(object, { [method]: (...args: unknown[]) => (calls.push(name), original(...args)) });
}

test("every form of target the server writes, in words; nothing read, nothing is marked gone", () => {
  expect(rows.map(([action, target]) => targetLabel(action, target).text)).toEqual([
    "person #3",
    "person #3",
    "person #9",
    `group #${rows[3]?.[1].slice("group:".length)}`,
    "group #99",
    "terminal T1",
    "terminal T2",
    "terminal T1",
    "terminal GONE",
    "2 terminals",
    "user admin",
    "user eve",
    `API token #${rows[12]?.[1]}`,
    `API token #${rows[13]?.[1]}`,
    "API token #99",
    `access level #${rows[15]?.[1]}`,
    "access schedule #42",
    "pass #4",
    `department #${rows[18]?.[1].slice("department:".length)}`,
    "import source #77",
    "webhook #5, dead letter #17",
    "site",
  ]);
  // A bare id whose action names no kind is shown as it is rather than guessed at.
  expect(targetLabel("notifications.update", "notifications")).toEqual({ text: "notifications" });
});

test("a page's targets are named from one read per kind, never one a row", async () => {
  const calls: string[] = [];
  counted(calls, "people.some", app.store.people, "some");
  counted(calls, "getPerson", app.store, "getPerson");
  counted(calls, "listGroups", app.store.people, "listGroups");
  counted(calls, "getGroup", app.store.people, "getGroup");
  counted(calls, "terminalsPage", app.store, "terminalsPage");
  counted(calls, "getTerminal", app.store, "getTerminal");
  counted(calls, "listTokens", app.store, "listTokens");
  counted(calls, "levels", app.store.access, "levels");
  const about = await targetLabels(app.store, rows.map(([action, target]) => ({ action, target })));
  expect(calls.sort()).toEqual(["levels", "listGroups", "listTokens", "people.some", "terminalsPage"]);
  expect(rows.map(([action, target]) => about(action, target))).toEqual(rows.map(([, , text, href]) => (href ? { text, href } : { text })));
  // A page naming no one of a kind reads nothing of it.
  calls.length = 0;
  await targetLabels(app.store, [{ action: "settings.update", target: "site" }, { action: "backup.download", target: null }]);
  expect(calls).toEqual([]);
});

/** Each row's target cell: its first link's address, tooltip and text. */
function targets(html: string): Array<[string, string, string]> {
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)]
    .map((tr) => [...(tr[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)][3]?.[1] ?? "")
    .filter((td) => td !== "")
    .map((td) => {
      const a = /<a href="([^"]*)" title="([^"]*)">([^<]*)<\/a>/.exec(td);
      return [a?.[1] ?? td, a?.[2] ?? "", a?.[3] ?? ""];
    });
}

test("the audit log names each target, links its page, and filters by the stored target", async () => {
  for (const [i, [action, target]] of rows.entries()) await app.store.audit({ at: T0 + i, actor: "cli", action, target, result: "ok" });
  const html = await (await app.page("/audit")).text();
  const filter = (target: string) => `/audit?target=${encodeURIComponent(target)}`;
  const expected = rows.map(([, target, text, href]): [string, string, string] => [(href ?? filter(target)).replaceAll("&", "&amp;"), target, text]);
  expect(targets(html)).toEqual(expected.reverse());
  // A target with a page also links the entries about it, by the stored target.
  expect(html).toContain('<a href="/people/3" title="person:3">Ann Lee (#3)</a> <a href="/audit?target=person%3A3" class="muted small" title="Entries about person:3">entries</a>');
  const filtered = await (await app.page(filter("person:3"))).text();
  expect(targets(filtered)).toEqual([["/people/3", "person:3", "Ann Lee (#3)"]]);
});

test("the Actor filter offers the users, the API tokens, the command line and the server, by their stored ids; a typed id still filters", async () => {
  await app.store.audit({ at: T0, actor: "token:hr", action: "test.token", result: "ok" });
  await app.store.audit({ at: T0 + 1, actor: "terminal:T1", action: "test.terminal", result: "ok" });
  const html = await (await app.page("/audit")).text();
  const options = [.../<datalist id="f-actors">([\s\S]*?)<\/datalist>/.exec(html)?.[1]?.matchAll(/<option value="([^"]*)" label="([^"]*)"/g) ?? []].map((m) => [m[1], m[2]]);
  expect(options).toEqual([
    ["user:admin", "admin"],
    ["token:api", "API token api"],
    ["token:hr", "API token hr"],
    ["token:old", "API token old (revoked)"],
    ["cli", "the command line"],
    ["system", "the server"],
  ]);
  expect(html).toContain('<input id="f-actor" name="actor" list="f-actors"');
  const actions = async (actor: string) => [...(await (await app.page(`/audit?actor=${encodeURIComponent(actor)}`)).text()).matchAll(/audit\?action=([^"]+)"/g)].map((m) => m[1]);
  expect(await actions("token:hr")).toEqual(["test.token"]);
  expect(await actions("terminal:T1")).toEqual(["test.terminal"]);
});
