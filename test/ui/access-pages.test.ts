/**
 * The Access area of the admin UI (issue 16), in-process with a real SQLite store: the weekly
 * schedule editor's field-labelled refusals (the form comes back as typed, status 400, nothing
 * saved), schedules and levels added, changed and deleted through the use cases (audited), a
 * person's levels and QR code, a terminal's access mode with the "Server approval" note, refused
 * punches marked and filtered in the attendance list, and a viewer who reads but changes nothing.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { decide, qrSvg, snapshot } from "../../src/access/index.ts";
import { hashToken } from "../../src/auth/tokens.ts";
import { SESSION_COOKIE } from "../../src/ui/auth-guard.ts";
import { formErrors, text } from "../helpers/html.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";
import { punch, punchesOp } from "../store/fixtures.ts";
import { model } from "../access/fixtures.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
let app: InProcessApp;

beforeEach(async () => {
  app = await buildApp();
  await app.store.write([
    { type: "terminal-seen", sn: "FRONT", at: T0, sessionId: "s-FRONT", remoteAddr: "10.0.0.66", cpusn: "CPU-F", devinfo: null, approvalIfNew: "approved", online: false },
    { type: "terminal-seen", sn: "BACK", at: T0, sessionId: "s-BACK", remoteAddr: "10.0.0.67", cpusn: "CPU-B", devinfo: null, approvalIfNew: "approved", online: false },
  ]);
});
afterEach(() => app.stop());

const flashOf = (res: Response) => JSON.parse(decodeURIComponent(decodeURIComponent(/tm20_flash=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "null"))) as { kind: string; text: string; form?: { action: string; values: Record<string, string> } } | null;
const audit = async (prefix: string) => (await app.store.auditLog({ limit: 100 })).items.filter((e) => e.action.startsWith(prefix)).reverse().map((e) => [e.actor, e.action, e.target]);

const office = { name: "Office", "d1-1-from": "08:00", "d1-1-to": "12:00", "d1-2-from": "13:00", "d1-2-to": "18:00", "d6-1-from": "09:00", "d6-1-to": "12:00", holidaysClosed: "on" };

describe("schedules", () => {
  test("the weekly editor refuses bad windows and a blank name by field, keeps what was typed, saves nothing", async () => {
    const res = await app.form("/access/schedules", {
      name: "  ",
      "d1-1-from": "08:00", "d1-1-to": "",
      "d2-1-from": "18:00", "d2-1-to": "08:00",
      "d3-2-from": "25:00", "d3-2-to": "26:00",
      "d5-1-from": "09:00", "d5-1-to": "17:00",
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(formErrors(html)).toEqual([
      "Name: fill this in.",
      "Monday: window 1 needs both a start and an end.",
      "Tuesday: window 1: the start (18:00) must be before the end (08:00).",
      "Wednesday: window 2: times are HH:MM, 00:00 to 23:59.",
    ]);
    // What was typed is still there, and each row's message is beside it.
    expect(html).toContain('name="d5-1-from" value="09:00"');
    expect(html).toContain('name="d2-1-to" value="08:00"');
    expect(html).toContain('<p class="field-error" id="f-d2-error">Tuesday: window 1: the start (18:00) must be before the end (08:00).</p>');
    expect(html).toContain('<p class="field-error" id="f-name-error">Name: fill this in.</p>');
    expect(await app.store.access.schedules()).toEqual([]);
    expect(await audit("access.")).toEqual([]);
  });

  test("a name longer than a terminal's limit is refused by field; the editor never offers a sixth window", async () => {
    const res = await app.form("/access/schedules", { ...office, name: "x".repeat(65) });
    expect(res.status).toBe(400);
    expect(formErrors(await res.text())).toEqual(["Name: use at most 64 characters."]);
    const blank = await (await app.page("/access/schedules/new")).text();
    expect([...blank.matchAll(/name="d1-(\d)-from"/g)].map((m) => m[1])).toEqual(["1", "2", "3", "4", "5"]);
    // A sixth window posted anyway is not read.
    const sixth = await app.form("/access/schedules", { ...office, "d1-6-from": "20:00", "d1-6-to": "21:00" });
    expect(sixth.status).toBe(303);
    expect((await app.store.access.schedules())[0]?.days["1"]).toEqual(["08:00-12:00", "13:00-18:00"]);
  });

  test("add, list, change and delete; audited as the admin; in use by a level it cannot be deleted", async () => {
    const add = await app.form("/access/schedules", office);
    expect([add.status, add.headers.get("location"), flashOf(add)]).toEqual([303, "/access/schedules", { kind: "ok", text: 'Added the schedule "Office".' }]);
    const [s] = await app.store.access.schedules();
    expect(s).toEqual({ id: s?.id ?? 0, name: "Office", days: { "1": ["08:00-12:00", "13:00-18:00"], "2": [], "3": [], "4": [], "5": [], "6": ["09:00-12:00"], "7": [] }, holidaysClosed: true });
    const id = s?.id ?? 0;
    const list = text(await (await app.page("/access/schedules")).text());
    expect(list).toContain("Office Mon 08:00–12:00, 13:00–18:00 · Sat 09:00–12:00 closed none");

    const edit = await (await app.page(`/access/schedules/${id}`)).text();
    expect(edit).toContain('name="d1-2-to" value="18:00"');
    expect(edit).toContain('id="f-holidaysClosed" name="holidaysClosed" checked=""');
    // Unticked "holidays close" and Saturday cleared: saved as sent.
    const { holidaysClosed: _h, "d6-1-from": _f, "d6-1-to": _t, ...changed } = office;
    expect((await app.form(`/access/schedules/${id}`, { ...changed, name: "Office hours" })).status).toBe(303);
    expect(await app.store.access.schedules()).toEqual([{ id, name: "Office hours", days: { "1": ["08:00-12:00", "13:00-18:00"], "2": [], "3": [], "4": [], "5": [], "6": [], "7": [] }, holidaysClosed: false }]);

    expect((await app.form("/access/levels", [["name", "Front"], ["scheduleId", String(id)], ["sn", "FRONT"]])).status).toBe(303);
    // In use: no Delete, and the row says why.
    const used = await (await app.page("/access/schedules")).text();
    expect(text(/<tbody>([\s\S]*?)<\/tbody>/.exec(used)?.[1] ?? "")).toBe("Office hours Mon 08:00–12:00, 13:00–18:00 open Front In use: give its levels another schedule to delete it");
    expect(used).not.toContain(`/access/schedules/${id}/delete`);
    const refused = await app.form(`/access/schedules/${id}/delete`);
    expect([refused.status, flashOf(refused)?.kind]).toEqual([303, "error"]);
    expect(flashOf(refused)?.text).toContain("used by access level");
    expect(await app.store.access.schedules()).toHaveLength(1);
    const level = (await app.store.access.levels())[0]?.id ?? 0;
    expect((await app.form(`/access/levels/${level}/delete`)).status).toBe(303);
    const deleted = await app.form(`/access/schedules/${id}/delete`);
    expect(flashOf(deleted)).toEqual({ kind: "ok", text: 'Deleted the schedule "Office hours".' });
    expect(await app.store.access.schedules()).toEqual([]);
    expect(await audit("access.")).toEqual([
      ["user:admin", "access.schedule.create", String(id)],
      ["user:admin", "access.schedule.update", String(id)],
      ["user:admin", "access.level.create", String(level)],
      ["user:admin", "access.level.delete", String(level)],
      ["user:admin", "access.schedule.delete", String(id)],
    ]);
  });

  test("an unknown schedule is a 404", async () => {
    expect((await app.page("/access/schedules/999")).status).toBe(404);
    expect((await app.page("/access/schedules/abc")).status).toBe(404);
  });
});

describe("levels", () => {
  test("refused by field without a name, a schedule or a door; then added with terminals and a group, and changed", async () => {
    expect((await app.form("/access/schedules", office)).status).toBe(303);
    const schedule = (await app.store.access.schedules())[0]?.id ?? 0;
    const bad = await app.form("/access/levels", { name: "", scheduleId: "" });
    expect(bad.status).toBe(400);
    expect(formErrors(await bad.text())).toEqual(["Name: fill this in.", "Schedule: choose one.", "Doors: tick at least one terminal or terminal group."]);
    const gone = await app.form("/access/levels", [["name", "X"], ["scheduleId", String(schedule)], ["sn", "NOPE"]]);
    expect(formErrors(await gone.text())).toEqual(["Doors: a terminal or group ticked is gone; tick again."]);
    expect(await app.store.access.levels()).toEqual([]);

    expect((await app.api("POST", "/groups", { name: "Lobby" })).status).toBe(201);
    const group = (await app.store.people.listGroups())[0]?.id ?? 0;
    const add = await app.form("/access/levels", [["name", "Staff"], ["scheduleId", String(schedule)], ["sn", "FRONT"], ["groupId", String(group)]]);
    expect([add.status, flashOf(add)?.text]).toEqual([303, 'Added the level "Staff".']);
    const [level] = await app.store.access.levels();
    expect(level).toEqual({ id: level?.id ?? 0, name: "Staff", scheduleId: schedule, terminals: ["FRONT"], groupIds: [group] });
    expect(text(await (await app.page("/access/levels")).text())).toContain("Staff Office FRONT, group Lobby");
    const edit = await (await app.page(`/access/levels/${level?.id}`)).text();
    expect(edit).toContain('name="sn" value="FRONT" checked=""');
    expect(edit).toContain('name="sn" value="BACK"/>');
    expect((await app.form(`/access/levels/${level?.id}`, [["name", "Staff"], ["scheduleId", String(schedule)], ["sn", "BACK"], ["sn", "FRONT"]])).status).toBe(303);
    expect((await app.store.access.levels())[0]).toEqual({ id: level?.id ?? 0, name: "Staff", scheduleId: schedule, terminals: ["BACK", "FRONT"], groupIds: [] });
  });
  test("above 50 terminals the doors are typed as serial numbers, not a checkbox each; an unknown one is named", async () => {
    await app.store.write(Array.from({ length: 60 }, (_, i) => ({
      type: "terminal-seen" as const, sn: `T${String(i).padStart(3, "0")}`, at: T0, sessionId: `s-${i}`, remoteAddr: "10.0.1.1", cpusn: null, devinfo: null, approvalIfNew: "approved" as const, online: false,
    })));
    expect((await app.form("/access/schedules", office)).status).toBe(303);
    const schedule = String((await app.store.access.schedules())[0]?.id ?? 0);
    const blank = await (await app.page("/access/levels/new")).text();
    expect([blank.includes('name="sn" value="T001"'), blank.includes('<textarea id="f-sn" name="sn"')]).toEqual([false, true]);
    const unknown = await app.form("/access/levels", { name: "Many", scheduleId: schedule, sn: "T001, NOPE1 NOPE2" });
    expect(formErrors(await unknown.text())).toEqual(["Doors: no terminal NOPE1, NOPE2."]);
    const add = await app.form("/access/levels", { name: "Many", scheduleId: schedule, sn: "T001, T002\nFRONT" });
    expect(add.status).toBe(303);
    const [level] = await app.store.access.levels();
    expect(level?.terminals).toEqual(["FRONT", "T001", "T002"]);
    expect(text(await (await app.page(`/access/levels/${level?.id}`)).text())).toContain("FRONT T001 T002");
  });
});

describe("a level's holders", () => {
  const section = (html: string) => /<section class="panel stack" aria-label="Holders">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
  const links = (html: string) => [...html.matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)].map((m) => `${m[1]} ${m[2]}`);
  const enrollids = (html: string) => [...html.matchAll(/data-enrollid="(\d+)"/g)].map((m) => Number(m[1]));

  test("the first 100 people by enroll id with links, the count and a link to all of them on the people list; passes for admins only", async () => {
    expect((await app.form("/access/schedules", office)).status).toBe(303);
    const schedule = String((await app.store.access.schedules())[0]?.id ?? 0);
    for (const [name, sn] of [["Staff", "FRONT"], ["Back", "BACK"], ["Empty", "BACK"]] as const) expect((await app.form("/access/levels", [["name", name], ["scheduleId", schedule], ["sn", sn]])).status).toBe(303);
    const [staff, back, empty] = (await app.store.access.levels()).map((l) => l.id) as [number, number, number];
    for (let n = 1; n <= 103; n++) {
      expect((await app.api("POST", "/people", { enrollid: n, name: `P${n}`, enabled: n !== 2 })).status).toBe(201);
      await app.store.access.setLevelsOf(n, n === 103 ? [back] : n === 5 ? [staff, back] : n === 7 ? [staff, empty] : [staff]);
    }
    const pass = { validFrom: "2026-01-01 00:00:00", createdAt: T0, createdBy: "user:admin", terminals: [], uses: 1 };
    const guest = await app.store.access.createPass({ ...pass, name: "Guest", code: "PASS-gggggggggggggggg", validTo: "2099-01-01 10:00:00", levelIds: [staff] });
    await app.store.access.createPass({ ...pass, name: "Ended", code: "PASS-eeeeeeeeeeeeeeee", validTo: "2026-01-02 00:00:00", levelIds: [staff] });
    const revoked = await app.store.access.createPass({ ...pass, name: "Revoked", code: "PASS-rrrrrrrrrrrrrrrr", validTo: "2099-01-01 10:00:00", levelIds: [staff] });
    await app.store.access.revokePass(revoked.id, T0, "user:admin");

    const holders = section(await (await app.page(`/access/levels/${staff}`)).text());
    const people = Array.from({ length: 100 }, (_, i) => `/people/${i + 1} P${i + 1}`);
    expect(links(holders)).toEqual([`/people?level=${staff} see all of them`, ...people, `/access/passes/${guest.id} Guest`]);
    expect(text(holders)).toStartWith("Holders 102 people hold this level; the first 100 by enroll id: see all of them P1 P2 (disabled) P3 P4");
    expect(text(holders)).toEndWith("P99 P100 1 visitor pass not revoked nor ended holds it: Guest until 2099-01-01 10:00");

    const few = section(await (await app.page(`/access/levels/${back}`)).text());
    expect(text(few)).toBe("Holders 2 people hold this level: as a list P5 P103");
    expect(links(few)).toEqual([`/people?level=${back} as a list`, "/people/5 P5", "/people/103 P103"]);
    expect(text(section(await (await app.page(`/access/levels/${empty}`)).text()))).toBe("Holders 1 person holds this level: as a list P7");
    expect((await app.api("PUT", "/people/7/access", { levelIds: [staff] })).status).toBe(200);
    expect(text(section(await (await app.page(`/access/levels/${empty}`)).text()))).toBe("Holders Nobody holds this level: give it to people on their page.");

    // The full list: the people page filtered by the level, paged, searchable, exported alike.
    const list = await (await app.page(`/people?level=${staff}`)).text();
    expect(text(/<p class="subtitle" data-level-filter[^>]*>([\s\S]*?)<\/p>/.exec(list)?.[1] ?? "")).toBe("Holding the access level Staff . Show everyone");
    expect(enrollids(list)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(list).toContain(`<input type="hidden" name="level" value="${staff}"/>`);
    expect(list).toContain(`href="/people.csv?level=${staff}"`);
    expect(enrollids(await (await app.page(`/people?level=${back}`)).text())).toEqual([5, 103]);
    expect(enrollids(await (await app.page(`/people?level=${staff}&q=p10`)).text())).toEqual([10, 100, 101, 102]);
    expect(enrollids(await (await app.page(`/people?level=${back}&q=5`)).text())).toEqual([5]);
    expect(enrollids(await (await app.page(`/people?level=${empty}`)).text())).toEqual([]);
    expect(enrollids(await (await app.page("/people?level=abc")).text())).toHaveLength(50);
    const csv = (await (await app.page(`/people.csv?level=${back}`)).text()).split("\r\n").slice(1).filter((l) => l !== "");
    expect(csv.map((l) => l.split(/[,;]/)[0])).toEqual(["5", "103"]);

    // A viewer sees the people, not the passes (a pass's page shows a code that opens doors).
    const viewer = await app.store.admin.createUser({ username: "watcher", role: "viewer", passwordHash: "not used", at: T0 });
    await app.store.admin.createSession({ tokenHash: hashToken("viewer-session"), userId: viewer?.id ?? 0, csrfToken: "viewer-csrf", at: Date.now(), expiresAt: Date.now() + 3_600_000, remoteAddr: null });
    const seen = section(await (await app.request(`/access/levels/${staff}`, { headers: { cookie: `${SESSION_COOKIE}=viewer-session` } })).text());
    expect(links(seen)).toEqual([`/people?level=${staff} see all of them`, ...people]);
  });
});

describe("a person's access, a terminal's mode, refused punches", () => {
  test("levels ticked on the person's page; a QR code issued once and revoked; audited", async () => {
    expect((await app.form("/access/schedules", office)).status).toBe(303);
    const schedule = (await app.store.access.schedules())[0]?.id ?? 0;
    for (const name of ["Front", "Back"]) expect((await app.form("/access/levels", [["name", name], ["scheduleId", String(schedule)], ["sn", name.toUpperCase()]])).status).toBe(303);
    const [front, back] = (await app.store.access.levels()).map((l) => l.id);
    expect((await app.api("POST", "/people", { enrollid: 21, name: "Ann" })).status).toBe(201);

    const before = await (await app.page("/people/21")).text();
    expect(text(before)).toContain("Access Access levels Front Back Save levels QR code None");
    expect((await app.form("/people/21/access", [["levelId", String(back)], ["levelId", String(front)]])).status).toBe(303);
    expect(await app.store.access.levelsOf(21)).toEqual([front ?? 0, back ?? 0].sort((a, b) => a - b));
    const unknownLevel = await app.form("/people/21/access", [["levelId", "999"]]);
    expect(flashOf(unknownLevel)).toEqual({ kind: "error", text: "No access level 999.", form: { action: "/people/21/access", values: { levelId: "999" } } });
    expect((await app.form("/people/21/access", [["levelId", String(back)]])).status).toBe(303);
    expect(await app.store.access.levelsOf(21)).toEqual([back ?? 0]);

    // The POST answers with the printable page itself: no redirect, no flash cookie, nothing cached.
    const issued = await app.form("/people/21/qr-code");
    const code = (await app.store.access.qrCodeOf(21)) ?? "none";
    expect(code).toMatch(/^TM20-[A-Za-z0-9_-]{32}$/);
    expect([issued.status, issued.headers.get("cache-control"), issued.headers.get("location"), issued.headers.get("set-cookie")]).toEqual([200, "no-store", null, null]);
    const card = await issued.text();
    expect(/<div class="pass-qr" data-person-qr="">(<svg[\s\S]*?<\/svg>)<\/div>/.exec(card)?.[1]).toBe(qrSvg(code));
    expect(text(/<section class="panel pass-card"[\s\S]*?<\/section>/.exec(card)?.[0] ?? "")).toBe(`Ann Enroll id 21 Code ${code} Show this code to a door's reader.`);
    expect(text(card)).toContain("QR code issued (shown only now: print this page or send the code to the person; it is never shown again).");
    expect(card).toContain('<a class="btn btn-plain" href="/people/21">Back to the person</a>');
    const after = await (await app.page("/people/21")).text();
    expect(text(after)).toContain("QR code Issued");
    expect(after).not.toContain(code);
    expect(after).not.toContain("<svg");
    const [entry] = (await app.store.auditLog({ limit: 100 })).items.filter((e) => e.action === "access.person.qr-issue");
    expect(JSON.stringify(entry)).not.toContain(code);
    expect([entry?.actor, entry?.target]).toEqual(["user:admin", "21"]);

    // A new code replaces it: the page shows the new one, the store no longer holds the old.
    const again = await (await app.form("/people/21/qr-code")).text();
    const second = (await app.store.access.qrCodeOf(21)) ?? "none";
    expect(second).not.toBe(code);
    expect([again.includes(second), again.includes(code), again.includes(qrSvg(second))]).toEqual([true, false, true]);
    const doors = snapshot(model(await app.store.access.model()));
    const scan = (text: string) => decide(doors, { sn: "FRONT", at: "2026-03-02 09:00:00", credential: { kind: "qr", text } });
    expect([scan(code).reason, scan(second).enrollid]).toEqual(["unknown_code", 21]);
    expect((await app.form("/people/21/qr-code/delete")).status).toBe(303);
    expect(await app.store.access.qrCodeOf(21)).toBeNull();
    expect((await audit("access.person")).map(([, action]) => action)).toEqual(["access.person.levels", "access.person.levels", "access.person.qr-issue", "access.person.qr-issue", "access.person.qr-revoke"]);
  });

  test("a terminal's access mode, with the Server approval note; refused punches marked and filtered", async () => {
    const page = await (await app.page("/terminals/FRONT")).text();
    expect(page).toContain('id="f-accessMode-terminal" name="accessMode" value="terminal" checked=""');
    expect(text(page)).toContain("The unit only follows the server's decision when its own menu option Server approval is on");
    const set = await app.form("/terminals/FRONT/access-mode", { accessMode: "server" });
    expect(flashOf(set)).toEqual({ kind: "ok", text: "The server now decides this terminal's punches (once its Server approval option is on)." });
    expect((await app.store.getTerminal("FRONT"))?.accessMode).toBe("server");
    expect(flashOf(await app.form("/terminals/FRONT/access-mode", { accessMode: "both" }))).toEqual({
      kind: "error",
      text: "Access decisions: choose the terminal or the server.",
      form: { action: "/terminals/FRONT/access-mode", values: { accessMode: "both" } },
    });
    expect((await audit("terminal.update")).length).toBe(1);

    await app.store.write([
      punchesOp("FRONT", [
        punch(21, "2026-03-02 09:00:00"),
        punch(21, "2026-03-02 20:00:00", { refused: "outside_schedule" }),
        punch(99, "2026-03-02 20:01:00", { refused: "unknown_person" }),
      ]),
    ]);
    const rows = (html: string) => [...html.matchAll(/<tr>\s*<td class="nowrap">([^<]+)<\/td>([\s\S]*?)<\/tr>/g)].map((m) => `${m[1]} ${(/Refused: [^<]+/.exec(m[2] ?? "") ?? [""])[0]}`.trim());
    expect(rows(await (await app.page("/attendance")).text())).toEqual(["2026-03-02 20:01:00 Refused: Unknown person", "2026-03-02 20:00:00 Refused: Outside hours", "2026-03-02 09:00:00"]);
    const refusedOnly = await (await app.page("/attendance?refused=1")).text();
    expect(rows(refusedOnly)).toEqual(["2026-03-02 20:01:00 Refused: Unknown person", "2026-03-02 20:00:00 Refused: Outside hours"]);
    expect(refusedOnly).toContain('name="refused" value="1" checked=""');
    expect(refusedOnly).toContain('href="/attendance.csv?refused=1"');
    // The dashboard's feed marks them too.
    expect(text(await (await app.page("/")).text())).toContain("Refused: Unknown person");
  });
});

test("a viewer reads the Access pages, a person's access and a terminal's mode, and changes nothing", async () => {
  expect((await app.form("/access/schedules", office)).status).toBe(303);
  const schedule = (await app.store.access.schedules())[0]?.id ?? 0;
  expect((await app.form("/access/levels", [["name", "Front"], ["scheduleId", String(schedule)], ["sn", "FRONT"]])).status).toBe(303);
  expect((await app.api("POST", "/people", { enrollid: 21, name: "Ann" })).status).toBe(201);
  const viewer = await app.store.admin.createUser({ username: "watcher", role: "viewer", passwordHash: "not used", at: T0 });
  await app.store.admin.createSession({ tokenHash: hashToken("viewer-session"), userId: viewer?.id ?? 0, csrfToken: "viewer-csrf", at: Date.now(), expiresAt: Date.now() + 3_600_000, remoteAddr: null });
  const cookie = `${SESSION_COOKIE}=viewer-session`;
  const get = async (path: string) => (await app.request(path, { headers: { cookie } })).text();
  for (const path of ["/access/schedules", `/access/schedules/${schedule}`, "/access/levels", "/people/21", "/terminals/FRONT"]) {
    const html = await get(path);
    expect([path, /<form method="post" action="\/(access|people\/21\/(access|qr)|terminals\/FRONT\/access)/.test(html)]).toEqual([path, false]);
  }
  expect(text(await get(`/access/schedules/${schedule}`))).toContain("Monday 08:00–12:00, 13:00–18:00 Tuesday closed");
  expect(text(await get("/terminals/FRONT"))).toContain("Decided by the terminal");
  const before = (await app.store.auditLog({ limit: 100 })).items.length;
  for (const [path, fields] of [
    ["/access/schedules", office],
    [`/access/schedules/${schedule}/delete`, {}],
    ["/people/21/qr-code", {}],
    ["/terminals/FRONT/access-mode", { accessMode: "server" }],
  ] as const) {
    const res = await app.request(path, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ...fields, _csrf: "viewer-csrf" }).toString() });
    expect([path, res.status]).toEqual([path, 403]);
  }
  expect((await app.store.auditLog({ limit: 100 })).items.length).toBe(before);
});
