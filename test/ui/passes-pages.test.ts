/**
 * Access → Passes in the admin UI (issue 16), in process with a real SQLite store: the form's
 * refusals by field (400, as typed, nothing made), a pass made and shown on its printable page
 * with its QR code inline (the very code, module for module), listed, downloaded as SVG, revoked
 * (audited as the user), and the pages closed to a viewer.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { encode } from "uqr";
import { hashToken } from "../../src/auth/tokens.ts";
import { SESSION_COOKIE } from "../../src/ui/auth-guard.ts";
import { formErrors, text } from "../helpers/html.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

// 2026-03-10 12:00 UTC (the site runs in UTC).
const T0 = Date.UTC(2026, 2, 10, 12);
let app: InProcessApp;

beforeEach(async () => {
  app = await buildApp(() => T0);
  await app.store.write([
    { type: "terminal-seen", sn: "FRONT", at: T0, sessionId: "s-FRONT", remoteAddr: "10.0.0.66", cpusn: "CPU-F", devinfo: null, approvalIfNew: "approved", online: false },
  ]);
});
afterEach(() => app.stop());


/** The dark modules of an SVG drawn by uqr (8 px a module, a 4-module quiet zone). */
function modulesOf(svg: string): boolean[][] {
  const side = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]) / 8 - 8;
  const grid = Array.from({ length: side }, () => Array<boolean>(side).fill(false));
  for (const m of svg.matchAll(/M(\d+),(\d+)h/g)) {
    const row = grid[Number(m[2]) / 8 - 4];
    if (row) row[Number(m[1]) / 8 - 4] = true;
  }
  return grid;
}

test("the form refuses by field and keeps what was typed; nothing is made", async () => {
  const res = await app.form("/access/passes", { name: " ", validFrom: "2026-03-10T09:00", validTo: "", uses: "0" });
  expect(res.status).toBe(400);
  const html = await res.text();
  expect(formErrors(html)).toEqual([
    "Name: fill this in.",
    "Valid until: fill this in.",
    "Doors: tick at least one access level or terminal.",
    'Uses: a whole number from 1 to 1000000, or tick "Any number".',
  ]);
  expect(html).toContain('name="validFrom" type="datetime-local" value="2026-03-10T09:00"');
  const reversed = await app.form("/access/passes", [["name", "Vera"], ["validFrom", "2026-03-10T09:00"], ["validTo", "2026-03-10T08:00"], ["sn", "FRONT"], ["uses", "1"]]);
  expect(reversed.status).toBe(400);
  // Under the field, as the form labels it: never the API's field names.
  const reversedHtml = await reversed.text();
  expect(formErrors(reversedHtml)).toEqual(["Valid until: the end (2026-03-10 08:00) is before the start (2026-03-10 09:00)."]);
  expect(reversedHtml).toContain('<input id="f-validTo" name="validTo" type="datetime-local" value="2026-03-10T08:00" required="" aria-invalid="true" aria-describedby="f-validTo-error"');
  expect((await app.store.access.passes({ limit: 10 })).items).toEqual([]);
});

test("made, shown with its QR code inline, listed, downloaded, revoked after a confirm; audited as the user", async () => {
  const blank = await (await app.page("/access/passes/new")).text();
  // Today from now to the end of the day, one use.
  expect(blank).toContain('name="validFrom" type="datetime-local" value="2026-03-10T12:00"');
  expect(blank).toContain('name="validTo" type="datetime-local" value="2026-03-10T23:59"');

  const made = await app.form("/access/passes", [["name", "Vera Visitor"], ["validFrom", "2026-03-10T09:00"], ["validTo", "2026-03-10T17:30"], ["sn", "FRONT"], ["uses", "2"]]);
  expect(made.status).toBe(303);
  expect(made.headers.get("location")).toBe("/access/passes/1");
  const pass = await app.store.access.pass(1);
  expect(pass).toMatchObject({ name: "Vera Visitor", validFrom: "2026-03-10 09:00:00", validTo: "2026-03-10 17:30:00", terminals: ["FRONT"], levelIds: [], uses: 2, createdBy: "user:admin" });

  const html = await (await app.page("/access/passes/1")).text();
  const svg = /<div class="pass-qr" data-pass-qr="">(<svg[\s\S]*?<\/svg>)<\/div>/.exec(html)?.[1] ?? "";
  expect(modulesOf(svg)).toEqual(encode(pass?.code ?? "", { ecc: "M", border: 0 }).data);
  const card = text(/<section class="panel pass-card"[\s\S]*?<\/section>/.exec(html)?.[0] ?? "");
  expect(card).toBe("Vera Visitor Active · 0 of 2 used Valid from 2026-03-10 09:00 Valid until 2026-03-10 17:30 Doors FRONT Uses 2 entries Show this code to a door's reader. Made 2026-03-10 12:00:00 by admin.");

  const download = await app.page("/access/passes/1/qr.svg");
  expect([download.status, download.headers.get("content-type"), download.headers.get("cache-control")]).toEqual([200, "image/svg+xml; charset=utf-8", "private, no-store"]);
  expect(await download.text()).toBe(svg);

  const list = await (await app.page("/access/passes")).text();
  expect(text(/<tbody>([\s\S]*?)<\/tbody>/.exec(list)?.[1] ?? "")).toBe("Vera Visitor 2026-03-10 09:00 – 2026-03-10 17:30 FRONT 0 of 2 used Active Revoke");
  expect(list).toContain('data-confirm="Revoke the pass of Vera Visitor? Its code stops opening doors at once."');

  const revoked = await app.form("/access/passes/1/revoke");
  expect([revoked.status, revoked.headers.get("location")]).toEqual([303, "/access/passes"]);
  expect(text(/<tbody>([\s\S]*?)<\/tbody>/.exec(await (await app.page("/access/passes")).text())?.[1] ?? "")).toBe("Vera Visitor 2026-03-10 09:00 – 2026-03-10 17:30 FRONT 0 of 2 used Revoked");
  const audit = (await app.store.auditLog({ limit: 100 })).items.filter((e) => e.action.startsWith("access.pass")).reverse().map((e) => [e.actor, e.action, e.target]);
  expect(audit).toEqual([["user:admin", "access.pass.create", "1"], ["user:admin", "access.pass.revoke", "1"]]);
});

test("a viewer cannot open the passes: a pass's page shows a code that opens doors", async () => {
  await app.form("/access/passes", [["name", "Vera"], ["validFrom", "2026-03-10T09:00"], ["validTo", "2026-03-10T17:30"], ["sn", "FRONT"], ["uses", "1"]]);
  const viewer = await app.store.admin.createUser({ username: "vic", role: "viewer", passwordHash: "not used", at: T0 });
  if (!viewer) throw new Error("viewer not created");
  await app.store.admin.createSession({ tokenHash: hashToken("viewer-session"), userId: viewer.id, csrfToken: "viewer-csrf", at: T0, expiresAt: T0 + 3_600_000, remoteAddr: null });
  const cookie = `${SESSION_COOKIE}=viewer-session`;
  for (const path of ["/access/passes", "/access/passes/new", "/access/passes/1", "/access/passes/1/qr.svg"]) {
    expect([path, (await app.request(path, { headers: { cookie } })).status]).toEqual([path, 403]);
  }
});
