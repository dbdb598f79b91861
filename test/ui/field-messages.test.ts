/**
 * Issue 17's "words a person understands" (in-process server, real SQLite): a refused form names
 * the field as the form labels it and the API names the field as its body does, in words, never
 * zod's own; and a refused form's flash carries what was typed (secrets left out) for the page to
 * put back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp();
  expect((await app.api("POST", "/people", { enrollid: 7, name: "Ann Archer" })).status).toBe(201);
});
afterAll(() => app.stop());

/** The flash a form's answer carries. */
function flashOf(res: Response): { kind: string; text: string; form?: { action: string; values: Record<string, unknown> } } | null {
  const cookie = /tm20_flash=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return cookie ? (JSON.parse(decodeURIComponent(decodeURIComponent(cookie))) as never) : null;
}
const apiError = async (res: Response) => ({ status: res.status, body: (await res.json()) as unknown });

describe("a refused input names its field", () => {
  test("a date that does not exist: the form says Valid to, the API validTo", async () => {
    const res = await app.form("/people/7", { name: "Ann Archer", admin: "0", enabled: "on", validFrom: "", validTo: "2026-02-30", externalId: "HR-7" });
    expect(res.headers.get("location")).toBe("/people/7");
    expect(flashOf(res)).toEqual({
      kind: "error",
      text: "Valid to: 2026-02-30 is not a date",
      form: { action: "/people/7", values: { name: "Ann Archer", admin: "0", enabled: "on", validFrom: "", validTo: "2026-02-30", externalId: "HR-7" } },
    });
    expect(await apiError(await app.api("PATCH", "/people/7", { validTo: "2026-02-30" }))).toEqual({ status: 400, body: { code: "bad_request", message: "validTo: 2026-02-30 is not a date" } });
    expect(await apiError(await app.api("PATCH", "/people/7", { validTo: "soon" }))).toEqual({ status: 400, body: { code: "bad_request", message: "validTo: soon is not a date (YYYY-MM-DD)" } });
  });

  test("an empty bearer token: the webhook form says Token or header value, the API bearer_token", async () => {
    const res = await app.form("/integrations/webhooks", { name: "Payroll", url: "https://payroll.example/in", auth: "bearer", auth_value: "", event: "attendance", batch_size: "100", timeout_s: "10", max_attempts: "", start: "now" });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain("Token or header value: fill this in");
    expect(page).not.toContain("Too small");
    // What was typed stays in the form it shows again.
    expect(page).toMatch(/name="name" type="text" value="Payroll"/);
    const api = await apiError(await app.api("POST", "/webhooks", { name: "Payroll", url: "https://payroll.example/in", bearer_token: "" }));
    expect(api).toEqual({ status: 400, body: { code: "bad_request", message: "bearer_token: fill this in" } });
  });

  test("a use case's refusal through a form: the field by its label, as a sentence", async () => {
    const res = await app.form("/settings/site", { siteName: "HQ", tz: "Mars/Olympus", approval: "open" });
    expect(flashOf(res)).toEqual({
      kind: "error",
      text: "Time zone: not a known IANA time zone (e.g. Europe/Paris).",
      form: { action: "/settings/site", values: { siteName: "HQ", tz: "Mars/Olympus", approval: "open" } },
    });
    // The create forms label their name field "New …": the refusal says it so.
    const department = await app.form("/timesheets/departments", { name: "x".repeat(101) });
    expect(flashOf(department)?.text).toBe("New department: use at most 100 characters.");
    const group = await app.form("/groups", { name: "x".repeat(101) });
    expect(flashOf(group)?.text).toBe("New group name: use at most 100 characters.");
    // A group's rename field is labelled "Group name": its refusals say so, and keep what was typed.
    expect((await app.form("/groups", { name: "Lobby" })).headers.get("location")).toBe("/groups");
    const id = (await app.store.people.listGroups()).find((g) => g.name === "Lobby")?.id;
    expect(flashOf(await app.form(`/groups/${id}`, { name: "   " }))).toEqual({ kind: "error", text: "Group name: give the group a name.", form: { action: `/groups/${id}`, values: { name: "   " } } });
    expect(flashOf(await app.form(`/groups/${id}`, { name: "y".repeat(101) }))).toEqual({ kind: "error", text: "Group name: use at most 100 characters.", form: { action: `/groups/${id}`, values: { name: "y".repeat(101) } } });
    expect((await app.store.people.getGroup(id ?? 0))?.name).toBe("Lobby");
    const token = await app.form("/settings/tokens", { name: "  ", scope: "read", expiresDays: "" });
    expect(flashOf(token)?.text).toBe("New token name: give the token a name (who or what uses it).");
  });

  test("a department's and a leave type's rename fields are labelled by what they name: their refusals say so, and keep what was typed", async () => {
    expect((await app.form("/timesheets/departments", { name: "Loading" })).headers.get("location")).toBe("/timesheets/departments");
    const department = (await app.store.timesheets.departments()).find((d) => d.name === "Loading")?.id;
    const list = await (await app.page("/timesheets/departments")).text();
    expect(list).toContain(`<form method="post" action="/timesheets/departments/${department}" class="rename-form" aria-label="Rename Loading">`);
    expect(list).toContain(`<input name="name" value="Loading" aria-label="Department name"`);
    const blank = { kind: "error", text: "Department name: give it a name.", form: { action: `/timesheets/departments/${department}`, values: { name: "   " } } };
    expect(flashOf(await app.form(`/timesheets/departments/${department}`, { name: "   " }))).toEqual(blank);
    expect(flashOf(await app.form(`/timesheets/departments/${department}`, { name: "y".repeat(101) }))).toEqual({ ...blank, text: "Department name: use at most 100 characters.", form: { ...blank.form, values: { name: "y".repeat(101) } } });
    expect((await app.store.timesheets.departments()).find((d) => d.id === department)?.name).toBe("Loading");

    expect((await app.form("/timesheets/leave-types", { name: "Vacation", paid: "on" })).headers.get("location")).toBe("/timesheets/leave-types");
    const type = (await app.store.timesheets.leaveTypes()).find((t) => t.name === "Vacation")?.id;
    const types = await (await app.page("/timesheets/leave-types")).text();
    expect(types).toContain(`<input name="name" value="Vacation" aria-label="Leave type name"`);
    const action = `/timesheets/leave-types/${type}`;
    expect(flashOf(await app.form(action, { name: " ", countsAsWorked: "on" }))).toEqual({ kind: "error", text: "Leave type name: fill this in", form: { action, values: { name: " ", countsAsWorked: "on" } } });
    expect(flashOf(await app.form(action, { name: "z".repeat(101), paid: "on" }))).toEqual({ kind: "error", text: "Leave type name: use at most 100 characters.", form: { action, values: { name: "z".repeat(101), paid: "on" } } });
    expect((await app.store.timesheets.leaveTypes()).find((t) => t.id === type)).toEqual({ id: type ?? 0, name: "Vacation", paid: true, countsAsWorked: false });
  });

  test("leave or a missed punch entered on the day of an enroll id no one has: refused in the person's words, what was typed kept, nothing stored or audited", async () => {
    expect((await app.api("POST", "/leave-types", { name: "Sick" })).status).toBe(201);
    const sick = (await app.store.timesheets.leaveTypes()).find((t) => t.name === "Sick")?.id;
    const text = "Person: no one has enroll id 99; add them on People first.";
    const day = "/timesheets/people/99/days/2026-03-03";
    expect(flashOf(await app.form(`${day}/leave`, { type: String(sick), part: "day", minutes: "" }))).toEqual({ kind: "error", text, form: { action: `${day}/leave`, values: { type: String(sick), part: "day", minutes: "" } } });
    const punch = { date: "2026-03-03", time: "09:00", inout: "0", reason: "forgot the badge" };
    expect(flashOf(await app.form(`${day}/corrections`, punch))).toEqual({ kind: "error", text, form: { action: `${day}/corrections`, values: punch } });
    expect(await app.store.timesheets.leave({ from: "2026-03-01", to: "2026-03-31", enrollid: 99 })).toEqual([]);
    expect(await app.store.timesheets.corrections(99)).toEqual([]);
    expect((await app.store.auditLog({ target: "person:99", limit: 10 })).items).toEqual([]);
    // Ann is on People: the same forms go through.
    expect(flashOf(await app.form("/timesheets/people/7/days/2026-03-03/leave", { type: String(sick), part: "day", minutes: "" }))).toEqual({ kind: "ok", text: "Sick added." });
  });

  test("leave of a half or a whole day with minutes typed too: refused, naming Minutes, what was typed kept, nothing stored", async () => {
    expect((await app.api("POST", "/leave-types", { name: "Personal" })).status).toBe(201);
    const personal = String((await app.store.timesheets.leaveTypes()).find((t) => t.name === "Personal")?.id);
    const action = "/timesheets/people/7/days/2026-03-05/leave";
    const first = { type: personal, part: "first", minutes: "30" };
    expect(flashOf(await app.form(action, first))).toEqual({ kind: "error", text: "Minutes: give minutes or a half day, not both.", form: { action, values: first } });
    const day = { type: personal, part: "day", minutes: "30" };
    expect(flashOf(await app.form(action, day))).toEqual({ kind: "error", text: "Minutes: give minutes or a whole day, not both", form: { action, values: day } });
    expect(await app.store.timesheets.leave({ from: "2026-03-05", to: "2026-03-05" })).toEqual([]);
    // Minutes left empty: the first half goes through.
    expect(flashOf(await app.form(action, { type: personal, part: "first", minutes: "" }))).toEqual({ kind: "ok", text: "Personal added." });
    expect((await app.store.timesheets.leave({ from: "2026-03-05", to: "2026-03-05" })).map((e) => e.part)).toEqual([{ kind: "half", half: "first" }]);
  });

  test("every form names its field by its label: settings, notifications, credentials, users, a terminal, the password, the filters", async () => {
    const site = { siteName: "HQ", tz: "UTC", approval: "open", keypadEnrolment: "accept", offlineAlertMinutes: "ten", driftAlertSeconds: "60", csvDelimiter: "," };
    const notify = { quietSeconds: "60", dailyDigestAt: "", linkBase: "", emailEnabled: "on", smtpHost: "mail.example", smtpPort: "99999", smtpSecurity: "starttls", smtpFrom: "tm20@example.com", smtpTo: "it@example.com" };
    const refusals: Array<[string, Record<string, string>]> = [
      ["/settings/site", site],
      ["/settings/site", { ...site, offlineAlertMinutes: "10", driftAlertSeconds: "1" }],
      ["/settings/notifications", { ...notify, quietSeconds: "soon" }],
      ["/settings/notifications", { ...notify, linkBase: "tm20 box" }],
      ["/settings/notifications", notify],
      ["/settings/notifications", { ...notify, smtpPort: "587", smtpTo: "it@example.com, facilities" }],
      ["/settings/users", { username: "", role: "viewer", password: "long enough password" }],
      ["/people/7/credentials/11", { card: "12-34" }],
      ["/people/7/credentials/10", { pin: "12ab" }],
      ["/terminals/T9/edit", { name: "x".repeat(101), location: "Hall" }],
      ["/account/password", { current: "whatever it was", password: "short", confirm: "short" }],
      ["/people/7", { name: "Ann Archer", admin: "9", enabled: "on", validFrom: "", validTo: "", externalId: "" }],
    ];
    const texts = [];
    for (const [path, fields] of refusals) texts.push(flashOf(await app.form(path, fields))?.text);
    expect(texts).toEqual([
      "Alert when a terminal is offline for (minutes): must be a number.",
      "Alert when a terminal clock is off by (seconds): must be at least 5.",
      "Quiet period (seconds): must be a number.",
      "Admin UI address for links: a URL such as https://tm20.example.com.",
      "SMTP port: a port from 1 to 65535.",
      "To: not an e-mail address.",
      "User name: enter a user name.",
      "Card number: use 1 to 20 digits.",
      "PIN: use 1 to 8 digits.",
      "Name: use at most 100 characters.",
      "New password: use at least 10 characters.",
      "Role on the terminals: choose User, Administrator, Super user",
    ]);
    // What was typed comes back (a card number or PIN, secrets, never does).
    expect(flashOf(await app.form("/settings/site", site))?.form?.values).toEqual(site);
    expect(flashOf(await app.form("/people/7/credentials/11", { card: "12-34" }))?.form?.values).toEqual({});
    // The API keeps its own words for the same refusal.
    expect(await apiError(await app.api("PUT", "/people/7/credentials/10", { data: "12ab" }))).toEqual({ status: 400, body: { code: "bad_request", message: "credentials: a password is 1 to 8 digits" } });
    // A filter on the records pages and their CSV exports, by the filter form's labels.
    const flashText = async (path: string) => /class="flash flash-error"[^>]*>([^<]*)/.exec(await (await app.page(path)).text())?.[1];
    expect(await flashText("/attendance?to=2026-02-30")).toBe("To (inclusive): 2026-02-30 is not a date");
    // The refused filter queries nothing, and its form shows what was typed.
    const refused = await (await app.page("/attendance?to=2026-02-30&person=jurgen&sn=GATE1")).text();
    expect([/id="f-to" type="date" name="to" value="([^"]*)"/.exec(refused)?.[1], /id="f-person" type="search" name="person" maxlength="100" value="([^"]*)"/.exec(refused)?.[1]]).toEqual(["2026-02-30", "jurgen"]);
    expect(refused).toMatch(/id="f-sn"[^>]*value="GATE1"/);
    expect(await flashText("/door-events?inout=in")).toBe("In/out: must be a number");
    const csv = await app.page("/attendance.csv?from=yesterday");
    expect([csv.status, await csv.text()]).toEqual([400, "From: yesterday is not a date (YYYY-MM-DD)"]);
  });

  test("secrets and the CSRF token never travel back in the flash", async () => {
    const res = await app.form("/people/7/credentials/10", { pin: "12345678901" });
    const flash = flashOf(res);
    expect(flash?.kind).toBe("error");
    expect(JSON.stringify(flash)).not.toContain("12345678901");
    expect(JSON.stringify(flash)).not.toContain("_csrf");
  });

  test("an accepted form carries nothing back", async () => {
    const res = await app.form("/timesheets/departments", { name: "Packing" });
    expect(flashOf(res)).toEqual({ kind: "ok", text: "Department Packing added." });
  });
});
