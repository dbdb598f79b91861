/**
 * The Timesheets area of the admin UI (issue 14), in process: a department, a 09:00–17:00 shift
 * with a lunch window and a weekday schedule are made through the UI's forms, people are put in
 * the department from their page, punches are stored (one with a photo), a rebuild from the UI
 * computes the days; then Today, a month, a day, the summary, its downloads and the print sheets
 * show hand-worked minutes, and corrections and leave added from a day change it (marked manual),
 * each change audited as the admin.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SiteClock } from "../../src/protocol/time.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const clock = new SiteClock("UTC");
/** Wednesday 4 March 2026, 10:00 on the site clock (UTC). */
const NOW = Date.UTC(2026, 2, 4, 10, 0);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]).toString("base64");

let app: InProcessApp;
let photoId = 0;

/** The flash a form's answer carries: [kind, text]. */
function flashOf(res: Response): [string, string] | null {
  const cookie = /tm20_flash=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!cookie) return null;
  const f = JSON.parse(decodeURIComponent(decodeURIComponent(cookie))) as { kind: string; text: string };
  return [f.kind, f.text];
}

/** Posts a form that must succeed; returns where it went. */
async function ok(path: string, fields: Record<string, string> | Array<[string, string]>): Promise<string> {
  const res = await app.form(path, fields);
  expect(res.status).toBe(303);
  expect(flashOf(res)?.[0]).toBe("ok");
  return res.headers.get("location") ?? "";
}

const idOf = async (list: "departments" | "shifts" | "leaveTypes", name: string) => (await app.store.timesheets[list]()).find((x) => x.name === name)?.id ?? 0;

beforeAll(async () => {
  app = await buildApp(() => NOW);
  const s = app.store;
  const person = { admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null };
  await s.people.save(1, { ...person, name: "Ann Archer" }, NOW);
  await s.people.save(2, { ...person, name: "Bob Baker" }, NOW);
  await ok("/timesheets/departments", { name: "Packing" });
  await ok("/timesheets/shifts", { name: "Day", kind: "fixed", start: "09:00", end: "17:00", break1_start: "12:00", break1_end: "13:00", lateGraceMinutes: "5", earlyGraceMinutes: "5", round_in_mode: "up", round_out_mode: "down" });
  const packing = String(await idOf("departments", "Packing"));
  await ok("/timesheets/schedules", [["departmentId", packing], ["from", "2026-03-01"], ["shiftId", String(await idOf("shifts", "Day"))], ...["1", "2", "3", "4", "5"].map((d): [string, string] => ["weekday", d])]);
  await ok("/people/1/department", { departmentId: packing, from: "2026-03-01" });
  await ok("/people/2/department", { departmentId: packing, from: "2026-03-01" });
  const p = (enrollid: number, time: string, image?: string) => ({ enrollid, time, ts: clock.toUtc(time), mode: 8, inout: 0, event: 0, ...(image ? { image } : {}) });
  await s.write([
    {
      type: "punches", sn: "FACE1", at: NOW, quarantine: [],
      punches: [
        p(1, "2026-03-02 08:58:00", JPEG), p(1, "2026-03-02 17:05:00"), // from the start (early arrival not counted) to 17:05, less lunch: 425
        p(1, "2026-03-03 09:20:00"), p(1, "2026-03-03 17:00:00"), // late 20: 09:20–17:00 less lunch = 400
        p(1, "2026-03-04 08:55:00"), // in now
        p(2, "2026-03-02 09:00:00"), p(2, "2026-03-02 17:00:00"), // 420; nothing on the 3rd (absent) nor today (absent by 10:00)
      ],
    },
  ]);
  photoId = (await s.attendanceSlice({ enrollids: [1] }, "time", 0, 1))[0]?.id ?? 0;
  await ok("/timesheets/rebuild", { from: "2026-03-01", to: "2026-03-04" });
  await app.recompute.idle();
});

afterAll(async () => {
  await app.stop();
});

const html = async (path: string) => {
  const res = await app.page(path);
  expect(res.status).toBe(200);
  return res.text();
};
/** The text content of an element found by a regular expression's first group, tags dropped. */
const textOf = (page: string, re: RegExp) => (re.exec(page)?.[1] ?? "").replace(/<[^>]+>/g, "").trim();

describe("Timesheets → Today", () => {
  test("the JSON the live island reads: who is in, who is absent, as of now", async () => {
    const res = await app.page("/timesheets/today.json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { date: string; asOf: string; rows: Array<{ enrollid: number; presence: string; firstIn: string | null; department: string | null; shift: string | null }> };
    expect(body.date).toBe("2026-03-04");
    expect(body.asOf).toBe("10:00");
    expect(body.rows.map((r) => [r.enrollid, r.presence, r.firstIn, r.department, r.shift])).toEqual([
      [1, "in", "2026-03-04 08:55:00", "Packing", "09:00–17:00"],
      [2, "absent", null, "Packing", "09:00–17:00"],
    ]);
  });

  test("the page: counts, the absent first, the live island's props, Timesheets in the navigation", async () => {
    const page = await html("/timesheets");
    expect(textOf(page, /data-count="In">([^<]*)</)).toBe("1");
    expect(textOf(page, /data-count="Absent">([^<]*)</)).toBe("1");
    expect(textOf(page, /data-count="Late">([^<]*)</)).toBe("0");
    expect(page.indexOf('data-enrollid="2"')).toBeLessThan(page.indexOf('data-enrollid="1"'));
    expect(page).toContain('data-island="live-today"');
    expect(page).toMatch(/<a href="\/timesheets" class="active" aria-current="page">Timesheets<\/a>/);
  });
});

describe("Timesheets → a person's month and day", () => {
  test("the calendar: each day's status and minutes, the photo beside its punch, the totals", async () => {
    const page = await html("/timesheets/people/1?month=2026-03");
    const cell = (date: string) => new RegExp(`data-date="${date}">([\\s\\S]*?)</td>`).exec(page)?.[1] ?? "";
    expect(cell("2026-03-02")).toContain("Present");
    expect(textOf(cell("2026-03-02"), /data-figure="worked">([^<]*)</)).toBe("7:05");
    expect(cell("2026-03-02")).toContain(`src="/attendance/${photoId}/photo"`);
    expect(cell("2026-03-03")).toContain("Late");
    expect(textOf(cell("2026-03-03"), /data-figure="late">([^<]*)</)).toBe("0:20");
    expect(textOf(cell("2026-03-03"), /data-figure="worked">([^<]*)</)).toBe("6:40");
    expect(cell("2026-03-01")).toContain("Rest day");
    expect(cell("2026-03-05")).not.toContain("No result");
    expect(textOf(page, /data-total="Late">([^<]*)</)).toBe("1 × · 0:20");
    expect(page.match(/data-date="/g)?.length).toBe(31);
  });

  test("a day: the result, its punches with the photo, no corrections yet", async () => {
    const page = await html("/timesheets/people/1/days/2026-03-02");
    expect(page).toContain("Ann Archer · 2026-03-02");
    expect(page.match(/data-punch="/g)?.length).toBe(2);
    expect(page).toContain(`data-photo="/attendance/${photoId}/photo"`);
    expect(page).toContain("None: the day is computed from the stored punches alone.");
    expect(page).toContain("Planned 09:00–17:00, 7:00");
  });
});

describe("Timesheets → changes from a day", () => {
  test("a missed punch added from a day changes it, marked manual; removing it puts the day back", async () => {
    const where = await ok("/timesheets/people/1/days/2026-03-03/corrections", { date: "2026-03-03", time: "09:00", inout: "0", reason: "Badge left at home" });
    expect(where).toBe("/timesheets/people/1/days/2026-03-03?changed=15");
    // While the day waits to be recomputed the page looks again, a second later, one look fewer.
    const settling = await html(where);
    expect(settling).toContain('<meta http-equiv="refresh" content="1; url=/timesheets/people/1/days/2026-03-03?changed=14"/>');
    await app.recompute.idle();
    // Once recomputed it stops looking.
    expect(await html("/timesheets/people/1/days/2026-03-03?changed=14")).not.toContain('http-equiv="refresh"');
    const day = await html("/timesheets/people/1/days/2026-03-03");
    expect(day).toContain("Added punch 2026-03-03 09:00:00 (in)");
    expect(day).toContain("Badge left at home");
    const month = await html("/timesheets/people/1?month=2026-03");
    const cell = new RegExp('data-date="2026-03-03">([\\s\\S]*?)</td>').exec(month)?.[1] ?? "";
    expect(cell).toContain("Present");
    expect(cell).toContain("manual");
    expect(textOf(cell, /data-figure="worked">([^<]*)</)).toBe("7:00");

    const id = (await app.store.timesheets.corrections(1))[0]?.id;
    await ok(`/timesheets/people/1/days/2026-03-03/corrections/${id}/delete`, { reason: "Found the real punch" });
    await app.recompute.idle();
    const back = await html("/timesheets/people/1?month=2026-03");
    const again = new RegExp('data-date="2026-03-03">([\\s\\S]*?)</td>').exec(back)?.[1] ?? "";
    expect(again).toContain("Late");
    expect(again).not.toContain("manual");
    const audit = (await app.store.auditLog({ action: "timesheets.correction.add", limit: 10 })).items.concat((await app.store.auditLog({ action: "timesheets.correction.delete", limit: 10 })).items);
    expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual([
      ["user:admin", "timesheets.correction.add", "person:1"],
      ["user:admin", "timesheets.correction.delete", "person:1"],
    ]);
  });

  test("leave from a day: Bob's absent Tuesday becomes a day of leave", async () => {
    await ok("/timesheets/leave-types", { name: "Vacation", paid: "on", countsAsWorked: "on" });
    await ok("/timesheets/people/2/days/2026-03-03/leave", { type: String(await idOf("leaveTypes", "Vacation")), part: "day" });
    await app.recompute.idle();
    const day = await html("/timesheets/people/2/days/2026-03-03");
    expect(day).toContain("On leave");
    expect(day).toContain("Vacation: whole day");
    // Leave planned ahead (a day without a result yet) is in the month too, not only on its day's page.
    expect(await html("/timesheets/people/2/days/2026-03-20")).toContain("This day is still ahead");
    expect(await html("/timesheets/people/2/days/2025-06-02")).toContain("No result stored for this day");
    await ok("/timesheets/people/2/days/2026-03-20/leave", { type: String(await idOf("leaveTypes", "Vacation")), part: "first" });
    const month = await html("/timesheets/people/2?month=2026-03");
    expect(/data-date="2026-03-20"[\s\S]*?data-planned-leave[^>]*>([^<]*)</.exec(month)?.[1]?.trim()).toBe("Vacation: first half");
    const planned = (await app.store.timesheets.leave({ enrollid: 2, from: "2026-03-20", to: "2026-03-20" }))[0]?.id;
    await ok(`/timesheets/people/2/days/2026-03-20/leave/${planned}/delete`, {});
  });

  test("a punch excluded from a day counts nowhere (it stays stored); the rules and a schedule's end are set from their pages", async () => {
    const punch = (await app.store.attendanceSlice({ enrollids: [2] }, "time", 0, 1))[0];
    // The punch is named by its time, in the answer and in the list of corrections, never by its id.
    const res = await app.form("/timesheets/people/2/days/2026-03-02/exclude", { punchId: String(punch?.id), reason: "Scanned for a colleague" });
    expect(flashOf(res)).toEqual(["ok", `Punch ${punch?.time} excluded (manual); it stays stored.`]);
    await app.recompute.idle();
    const day = await html("/timesheets/people/2/days/2026-03-02");
    expect(day).toContain("excluded (manual)");
    expect(/data-correction="\d+"><td>([\s\S]*?)<\/td>/.exec(day)?.[1]?.replace(/<[^>]+>/g, "")).toBe(`manual Excluded punch ${punch?.time}`);
    expect(day).toContain("Missing punch");
    expect(/<dt>In–out<\/dt>\s*<dd>([^<]*)<\/dd>/.exec(day)?.[1]).toBe("17:00–missing");
    expect(await app.store.getAttendance(punch?.id ?? 0)).toEqual(punch ?? null);
    const exclusion = (await app.store.timesheets.corrections(2))[0]?.id;
    await ok(`/timesheets/people/2/days/2026-03-02/corrections/${exclusion}/delete`, { reason: "It was Bob after all" });

    await ok("/timesheets/rules", { doubleScanSeconds: "60", calculation: "paired", defaultInterpretation: "trust" });
    await ok("/timesheets/rules/terminals/FACE1", { interpretation: "entry" });
    expect(await app.store.timesheets.siteRules()).toEqual({ doubleScanSeconds: 60, calculation: "paired", defaultInterpretation: "trust", terminals: { FACE1: "entry" } });
    await ok("/timesheets/rules/terminals/FACE1", { interpretation: "" });
    await ok("/timesheets/rules", { doubleScanSeconds: "120", calculation: "first_last", defaultInterpretation: "pair" });
    expect(await app.store.timesheets.siteRules()).toEqual({ doubleScanSeconds: 120, calculation: "first_last", defaultInterpretation: "pair", terminals: {} });

    const schedule = (await app.store.timesheets.schedules())[0];
    await ok(`/timesheets/schedules/${schedule?.id}`, { to: "2026-12-31" });
    expect((await app.store.timesheets.schedules())[0]?.to).toBe("2026-12-31");
    await app.recompute.idle();
  });

  test("a shift changed through its form: the new grace is stored and the schedule's days recomputed", async () => {
    const id = await idOf("shifts", "Day");
    const form = await html(`/timesheets/shifts/${id}`);
    expect(form).toContain(`action="/timesheets/shifts/${id}"`);
    expect(form).toMatch(/name="start" type="time" value="09:00"/);
    await ok(`/timesheets/shifts/${id}`, { name: "Day", kind: "fixed", start: "09:00", end: "17:00", break1_start: "12:00", break1_end: "13:00", lateGraceMinutes: "30", earlyGraceMinutes: "5", round_in_mode: "up", round_out_mode: "down" });
    const shift = (await app.store.timesheets.shifts()).find((s) => s.id === id);
    expect(shift?.lateGraceMinutes).toBe(30);
    await app.recompute.idle();
    // Ann's 09:20 on Tuesday is inside the new 30 minutes of grace: present, not late.
    expect(await html("/timesheets/people/1/days/2026-03-03")).toContain("Present");
    await ok(`/timesheets/shifts/${id}`, { name: "Day", kind: "fixed", start: "09:00", end: "17:00", break1_start: "12:00", break1_end: "13:00", lateGraceMinutes: "5", earlyGraceMinutes: "5", round_in_mode: "up", round_out_mode: "down" });
    await app.recompute.idle();
    expect(await html("/timesheets/people/1/days/2026-03-03")).toContain("Late");
  });

  test("a shift's optional settings cleared: a blank field in the form, null through the API", async () => {
    const id = await idOf("shifts", "Day");
    const day = { name: "Day", kind: "fixed", start: "09:00", end: "17:00", break1_start: "12:00", break1_end: "13:00", lateGraceMinutes: "5", earlyGraceMinutes: "5", round_in_mode: "up", round_out_mode: "down" };
    const stored = async () => (await app.store.timesheets.shifts()).find((s) => s.id === id);
    await ok(`/timesheets/shifts/${id}`, { ...day, overtimeAfterMinutes: "480", overtimeMinimumMinutes: "30", breakAfterMinutes: "240", dayStart: "05:00" });
    expect((await stored())?.overtime).toEqual({ beyondMinutes: 480, minimumMinutes: 30 });
    expect((await stored())?.dayStart).toBe("05:00");
    const form = await html(`/timesheets/shifts/${id}`);
    expect(form).toMatch(/name="overtimeAfterMinutes" type="number" value="480"/);
    await ok(`/timesheets/shifts/${id}`, { ...day, overtimeAfterMinutes: "", overtimeMinimumMinutes: "", breakAfterMinutes: "", dayStart: "" });
    expect((await stored())?.overtime).toBeUndefined();
    // The natural day start of a 09:00–17:00 shift: midnight.
    expect((await stored())?.dayStart).toBe("00:00");

    const patch = async (body: unknown) => (await app.api("PATCH", `/shifts/${id}`, body)).json() as Promise<Record<string, unknown>>;
    expect(await patch({ overtimeAfterMinutes: 600, overtimeMinimumMinutes: 15 })).toMatchObject({ overtimeAfterMinutes: 600, overtimeMinimumMinutes: 15 });
    expect(await patch({ overtimeMinimumMinutes: null })).toMatchObject({ overtimeAfterMinutes: 600, overtimeMinimumMinutes: null });
    expect(await patch({ overtimeAfterMinutes: null })).toMatchObject({ overtimeAfterMinutes: null, overtimeMinimumMinutes: null, lateGraceMinutes: 5 });
    const flexible = await (await app.api("POST", "/shifts", { name: "Flexi", kind: "flexible", requiredMinutes: 480, coreStart: "10:00", coreEnd: "15:00" })).json() as { id: number; coreStart: string };
    expect(flexible.coreStart).toBe("10:00");
    expect((await app.api("PATCH", `/shifts/${flexible.id}`, { coreStart: null, coreEnd: null }).then((r) => r.json())) as Record<string, unknown>).toMatchObject({ coreStart: null, coreEnd: null, requiredMinutes: 480 });
    await app.api("DELETE", `/shifts/${flexible.id}`);
    await app.recompute.idle();
  });

  test("holidays: added for everyone, changed to one department and renamed, then deleted", async () => {
    const packing = String(await idOf("departments", "Packing"));
    await ok("/timesheets/holidays", { date: "2026-05-01", name: "Labour day" });
    const holiday = (await app.store.timesheets.holidays()).find((h) => h.name === "Labour day");
    expect(holiday).toEqual({ id: holiday?.id ?? 0, date: "2026-05-01", name: "Labour day" });
    const list = await html("/timesheets/holidays");
    expect(list).toContain(`href="/timesheets/holidays/${holiday?.id}"`);
    const edit = await html(`/timesheets/holidays/${holiday?.id}`);
    expect(edit).toContain(`action="/timesheets/holidays/${holiday?.id}"`);
    expect(edit).toMatch(/name="date" type="date" value="2026-05-01"/);
    expect(await ok(`/timesheets/holidays/${holiday?.id}`, [["date", "2026-05-02"], ["name", "May day"], ["departmentId", packing]])).toBe("/timesheets/holidays");
    expect((await app.store.timesheets.holidays()).filter((h) => h.id === holiday?.id)).toEqual([{ id: holiday?.id ?? 0, date: "2026-05-02", name: "May day", departmentIds: [Number(packing)] }]);
    expect(await html(`/timesheets/holidays/${holiday?.id}`)).toMatch(new RegExp(`name="departmentId" value="${packing}" checked`));
    expect(textOf(await html("/timesheets/holidays"), /data-holiday="2026-05-02">[\s\S]*?<td>May day<\/td>\s*<td>([^<]*)<\/td>/)).toBe("Packing");
    // No department ticked: everyone again.
    await ok(`/timesheets/holidays/${holiday?.id}`, { date: "2026-05-02", name: "May day" });
    expect((await app.store.timesheets.holidays()).find((h) => h.id === holiday?.id)?.departmentIds).toEqual([]);
    const bad = await app.form(`/timesheets/holidays/${holiday?.id}`, { date: "2026-02-30", name: "May day" });
    expect(flashOf(bad)).toEqual(["error", "Date: 2026-02-30 is not a date"]);
    expect(bad.headers.get("location")).toBe(`/timesheets/holidays/${holiday?.id}`);
    await ok(`/timesheets/holidays/${holiday?.id}/delete`, {});
    expect((await app.store.timesheets.holidays()).some((h) => h.id === holiday?.id)).toBe(false);
    const audited = (await app.store.auditLog({ target: `holiday:${holiday?.id}`, limit: 10 })).items.map((e) => e.action);
    expect(audited).toEqual(["timesheets.holiday.delete", "timesheets.holiday.update", "timesheets.holiday.update", "timesheets.holiday.create"]);
    await app.recompute.idle();
  });

  test("a leave type renamed and its flags changed from its row", async () => {
    await ok("/timesheets/leave-types", { name: "Trainig", paid: "on" });
    const id = await idOf("leaveTypes", "Trainig");
    // The row's form sits in its Name cell; the flags' boxes and Save in the other cells belong to it.
    const page = await html("/timesheets/leave-types");
    expect(page).toContain(`action="/timesheets/leave-types/${id}" id="leave-type-${id}"`);
    expect([...page.matchAll(/<(input|button) [^>]*form="leave-type-(\d+)"[^>]*>/g)].map((m) => [m[1], Number(m[2]), /name="(\w+)"|aria-label="([^"]+)"/.exec(m[0])?.slice(1).find(Boolean)])).toEqual(
      (await app.store.timesheets.leaveTypes()).flatMap((t) => [
        ["input", t.id, "paid"],
        ["input", t.id, "countsAsWorked"],
        ["button", t.id, `Save ${t.name}`],
      ]),
    );
    expect((await app.store.timesheets.leaveTypes()).map((t) => t.name)).toEqual(["Vacation", "Trainig"]);
    const res = await app.form(`/timesheets/leave-types/${id}`, { name: "Training", countsAsWorked: "on" });
    expect(flashOf(res)).toEqual(["ok", "Training: unpaid, counts as worked time."]);
    expect((await app.store.timesheets.leaveTypes()).find((t) => t.id === id)).toEqual({ id, name: "Training", paid: false, countsAsWorked: true });
    expect(flashOf(await app.form(`/timesheets/leave-types/${id}`, { name: " " }))).toEqual(["error", "Leave type name: fill this in"]);
    await ok(`/timesheets/leave-types/${id}/delete`, {});
  });

  test("a refused form names its field", async () => {
    const shift = await app.form("/timesheets/shifts", { name: "Bad", kind: "fixed", start: "9", end: "17:00", round_in_mode: "up", round_out_mode: "down" });
    expect(flashOf(shift)).toEqual(["error", "Start: a time of day HH:MM"]);
    const correction = await app.form("/timesheets/people/1/days/2026-03-03/corrections", { date: "2026-03-03", time: "09:00", reason: "" });
    expect(flashOf(correction)).toEqual(["error", "Reason: fill this in"]);
    const schedule = await app.form("/timesheets/schedules", { from: "2026-03-01", shiftId: "1", weekday: "1" });
    expect(flashOf(schedule)).toEqual(["error", "Department or person: choose a department or give an enroll id, one of them"]);
    // A mistyped enroll id is refused rather than giving a schedule to no one (absent in every summary).
    const nobody = await app.form("/timesheets/schedules", [["enrollid", "99"], ["from", "2026-03-01"], ["shiftId", String(await idOf("shifts", "Day"))], ["weekday", "1"]]);
    expect(flashOf(nobody)).toEqual(["error", "Person (enroll id): no one has enroll id 99; add them on People first."]);
    expect((await app.store.timesheets.schedules()).filter((s) => s.enrollid === 99)).toEqual([]);
    // A day of someone not on People offers no form that would be refused: it says what to do instead.
    const stray = await html("/timesheets/people/99/days/2026-03-03");
    expect(textOf(stray, /data-no-person[^>]*>([\s\S]*?)<\/p>/)).toBe("No one on People has enroll id 99: add them on People first to add a missed punch or leave for this day.");
    expect(stray).not.toContain("/timesheets/people/99/days/2026-03-03/leave");
    expect(stray).not.toContain("/timesheets/people/99/days/2026-03-03/corrections");
    expect(await html("/timesheets/people/1/days/2026-03-03")).not.toContain("data-no-person");
    // The use case's own refusal comes back as a flash too (the shift is in a schedule).
    const inUse = await app.form(`/timesheets/shifts/${await idOf("shifts", "Day")}/delete`);
    expect(flashOf(inUse)?.[0]).toBe("error");
    expect(flashOf(inUse)?.[1]).toStartWith("The shift is in 1 schedule(s)");
  });

  test("the person's page shows and sets the department; People lists it", async () => {
    const person = await html("/people/1");
    expect(textOf(person, /data-current-department[^>]*>([^<]*)</)).toBe("Packing");
    // The schedule in the Schedules list's words: weekday names, not numbers.
    const schedules = /<ul aria-label="Schedules">([\s\S]*?)<\/ul>/.exec(person)?.[1] ?? "";
    expect([...schedules.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => (m[1] ?? "").replace(/<[^>]+>/g, "").replace("&#39;", "'"))).toEqual(["Department's: Day on Mon, Tue, Wed, Thu, Fri from 2026-03-01 to 2026-12-31"]);
    expect(await html("/people")).toMatch(/<td>Packing<\/td>/);
  });
});

describe("Timesheets → Summary and print", () => {
  test("per person over a period: days worked, hours, late, absences", async () => {
    const page = await html("/timesheets/summary?from=2026-03-02&to=2026-03-03");
    const row = (enrollid: number) => new RegExp(`data-enrollid="${enrollid}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? "";
    const cells = (r: string) => [...r.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => (m[1] ?? "").replace(/<[^>]+>/g, "").trim());
    // Bob's Tuesday is Vacation by now (the test above): a whole day of its planned 420 minutes, counted as worked.
    expect(cells(row(1))).toEqual(["Ann Archer #1", "Packing", "2", "13:45", "—", "1 × 0:20", "—", "0", "0", "—"]);
    expect(cells(row(2))).toEqual(["Bob Baker #2", "Packing", "1", "14:00", "—", "—", "—", "0", "0", "1 d · 7:00"]);
  });

  test("a bad period says which field", async () => {
    const page = await html("/timesheets/summary?from=2026-03-05&to=2026-03-01");
    expect(page).toContain("To: the end is before the start");
  });

  test("the downloads: the summary as CSV and XLSX, the days as CSV, with the session", async () => {
    const csv = await app.page("/timesheets/summary.csv?from=2026-03-02&to=2026-03-02");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="timesheet-summary-2026-03-02-2026-03-02.csv"');
    const rows = (await csv.text()).replace(/^\uFEFF/, "").trim().split("\r\n").map((r) => r.split(","));
    const header = rows[0] ?? [];
    const col = (name: string) => header.indexOf(name);
    expect(rows.length).toBe(3);
    expect(rows.slice(1).map((r) => [r[col("Enroll ID")], r[col("Name")], r[col("Worked minutes")]])).toEqual([
      ["1", "Ann Archer", "425"],
      ["2", "Bob Baker", "420"],
    ]);
    const xlsx = await app.page("/timesheets/summary.xlsx?from=2026-03-02&to=2026-03-02");
    expect(xlsx.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect([...new Uint8Array(await xlsx.arrayBuffer()).slice(0, 2)]).toEqual([0x50, 0x4b]);
    const days = await app.page("/timesheets/days.csv?from=2026-03-02&to=2026-03-03");
    const [dayHead = [], ...dayRows] = (await days.text()).replace(/^\uFEFF/, "").trim().split("\r\n").map((r) => r.split(","));
    // The columns payroll imports read keep their names and order; the status's words are added beside its code.
    expect(dayHead).toEqual([
      "Date", "Enroll ID", "Name", "Department", "Shift", "Status", "Status label", "First in", "Last out", "Worked minutes", "Worked hours",
      "Planned minutes", "Late minutes", "Early leave minutes", "Overtime minutes", "Missing punch", "Manual", "Holiday",
    ]);
    // The shift by the name the admin gave it, not its id.
    const pick = (r: string[]) => ["Date", "Enroll ID", "Shift", "Status", "Status label"].map((h) => r[dayHead.indexOf(h)]);
    expect(dayRows.map(pick)).toEqual([
      ["2026-03-02", "1", "Day", "present", "Present"],
      ["2026-03-02", "2", "Day", "present", "Present"],
      ["2026-03-03", "1", "Day", "late", "Late"],
      ["2026-03-03", "2", "Day", "leave", "On leave"], // Vacation, by the test above
    ]);
    expect((await app.page("/timesheets/summary.csv?from=2026-03-05&to=2026-03-01")).status).toBe(400);
  });

  test("the monthly sheets: one per person, without the navigation", async () => {
    const page = await html("/timesheets/print?month=2026-03");
    expect(page.match(/<article class="sheet"/g)?.length).toBe(2);
    expect(page).not.toContain('class="sidebar"');
    expect(page).toContain("data-print");
  });

  test("the monthly sheets of a range: every month of it, month after month, each with its own totals; at most 12 months", async () => {
    // A January day of Ann's: a copy of 2 March's (425 minutes worked).
    const worked = (await app.store.timesheets.days({ from: "2026-03-02", to: "2026-03-02", enrollid: 1, limit: 1 })).items[0];
    if (!worked) throw new Error("no result for 2 March");
    await app.store.timesheets.saveDays([{ ...worked, date: "2026-01-30", firstIn: "2026-01-30 08:58:00", lastOut: "2026-01-30 17:05:00", pairs: [] }], NOW);
    // The summary's period is what its print link takes, as whole months.
    expect(await html("/timesheets/summary?from=2026-01-15&to=2026-03-10")).toContain('href="/timesheets/print?from=2026-01&amp;to=2026-03"');
    const sheets = (page: string) => [...page.matchAll(/<article class="sheet" data-enrollid="(\d+)" data-month="([\d-]+)">[\s\S]*?<dd data-total="Worked">([^<]*)</g)].map((m) => [m[2], Number(m[1]), m[3]]);
    const range = await html("/timesheets/print?from=2026-01&to=2026-03");
    // Month after month, each sheet the one its month prints alone (its own days and totals).
    const alone = async (month: string) => sheets(await html(`/timesheets/print?month=${month}`));
    const [january, february, march] = [await alone("2026-01"), await alone("2026-02"), await alone("2026-03")];
    expect(sheets(range)).toEqual([...january, ...february, ...march]);
    expect(january.find(([, enrollid]) => enrollid === 1)).toEqual(["2026-01", 1, "7:05"]);
    expect(march.map(([month, enrollid]) => [month, enrollid])).toEqual([
      ["2026-03", 1],
      ["2026-03", 2],
    ]);
    expect(sheets(await html("/timesheets/print?from=2026-01&to=2026-03&enrollid=2"))).toEqual(sheets(range).filter(([, enrollid]) => enrollid === 2));
    expect(range).toContain("2026-01 to 2026-03: one person per page and month, with each month&#39;s totals.");
    expect(range).toContain("<title>Timesheets 2026-01 to 2026-03");
    expect(await html("/timesheets/print?from=2020-01&to=2020-02")).toContain("<p>No results stored for 2020-01 to 2020-02.</p>");
    // Twelve months print; a thirteenth is refused with what to do, nothing printed; so is an end before the start.
    expect(sheets(await html("/timesheets/print?from=2025-04&to=2026-03"))).toEqual([...sheets(await html("/timesheets/print?from=2025-04&to=2025-12")), ...sheets(range)]);
    const tooMany = await html("/timesheets/print?from=2025-03&to=2026-03");
    expect(tooMany).toContain("At most 12 months at once: 2025-03 to 2026-03 is 13 months; print them in parts.");
    expect(sheets(tooMany)).toEqual([]);
    expect(await html("/timesheets/print?from=2026-03&to=2026-01")).toContain("To: 2026-01 is before 2026-03; choose a last month on or after the first.");
    await app.store.timesheets.removeDays([{ enrollid: 1, date: "2026-01-30" }], NOW);
  });
});

describe("Timesheets → Shifts list", () => {
  test("a shift's row says its durations as worked time, not as clock times, and which grace is which", async () => {
    await ok("/timesheets/shifts", { name: "Late night", kind: "fixed", start: "22:00", end: "06:00", breakMinutes: "30", breakAfterMinutes: "360", overtimeAfterMinutes: "480", lateGraceMinutes: "10", earlyGraceMinutes: "0", round_in_mode: "up", round_out_mode: "down" });
    const page = await html("/timesheets/shifts");
    const row = /data-shift="Late night">([\s\S]*?)<\/tr>/.exec(page)?.[1] ?? "";
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => (m[1] ?? "").replace(/<[^>]+>/g, "").trim());
    expect(cells[1]).toBe("22:00–06:00 · breaks 30 min once 6:00 worked · grace 10 min late, 0 min early · overtime beyond 8:00 worked a day");
    const id = await idOf("shifts", "Late night");
    await ok(`/timesheets/shifts/${id}/delete`, {});
  });
});
