/**
 * Visitor passes through the API (issue 16), in process, with exact contents: create (and each
 * refusal), list by cursor, read, the QR code as SVG (the very code, module for module), revoke
 * (once), the audit entries (never the code), and admin-only for tokens.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { encode } from "uqr";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

// 2026-03-10 12:00 UTC (the site runs in UTC).
const T0 = Date.UTC(2026, 2, 10, 12);

const apps: InProcessApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

async function app(): Promise<InProcessApp> {
  const a = await buildApp(() => T0);
  apps.push(a);
  return a;
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

/** The dark modules of an SVG drawn by uqr (one `M x,y h…` square per module), as a matrix. */
function modulesOf(svg: string, pixel: number, border: number): boolean[][] {
  const box = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const size = Number(box?.[1]) / pixel - 2 * border;
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  for (const m of svg.matchAll(/M(\d+),(\d+)h/g)) {
    const row = grid[Number(m[2]) / pixel - border];
    if (row) row[Number(m[1]) / pixel - border] = true;
  }
  return grid;
}

describe("visitor passes API (issue 16)", () => {
  test("create, read, list by cursor, QR SVG, revoke: exact shapes; audited without the code", async () => {
    const a = await app();
    const schedule = await json(await a.api("POST", "/access/schedules", { name: "Office", days: { "2": ["08:00-18:00"] } }));
    const level = await json(await a.api("POST", "/access/levels", { name: "Front", scheduleId: schedule.body.id, terminals: ["FRONT"] }));

    const created = await json(await a.api("POST", "/access/passes", { name: "  Vera Visitor ", validFrom: "2026-03-10T09:00", validTo: "2026-03-10 17:30:00", levelIds: [level.body.id] }));
    expect(created.status).toBe(201);
    const code = String(created.body.code);
    expect(code).toMatch(/^TM20-[A-Za-z0-9_-]{32}$/);
    const vera = {
      id: 1, name: "Vera Visitor", code, validFrom: "2026-03-10 09:00:00", validTo: "2026-03-10 17:30:00", levelIds: [level.body.id], terminals: [],
      uses: 1, used: 0, revokedAt: null, revokedBy: null, createdAt: T0, createdBy: "token:api", status: "active", usesLeft: 1,
    };
    expect(created.body).toEqual(vera);

    const later = await json(await a.api("POST", "/access/passes", { name: "Contractor", validFrom: "2026-03-11 07:00", validTo: "2026-03-20 19:00", terminals: ["BACK", "FRONT"], uses: null }));
    expect(later.body).toMatchObject({ id: 2, terminals: ["BACK", "FRONT"], uses: null, usesLeft: null, status: "not_yet" });
    const old = await json(await a.api("POST", "/access/passes", { name: "Yesterday", validFrom: "2026-03-09 07:00", validTo: "2026-03-09 19:00", terminals: ["FRONT"], uses: 5 }));
    expect(old.body).toMatchObject({ id: 3, uses: 5, usesLeft: 5, status: "expired" });
    expect(new Set([code, later.body.code, old.body.code]).size).toBe(3);

    expect(await json(await a.api("GET", "/access/passes/1"))).toEqual({ status: 200, body: vera });
    const first = await json(await a.api("GET", "/access/passes?limit=2"));
    expect((first.body.items as Array<{ id: number }>).map((p) => p.id)).toEqual([3, 2]);
    expect(typeof first.body.next).toBe("string");
    expect(await json(await a.api("GET", `/access/passes?limit=2&cursor=${first.body.next}`))).toEqual({ status: 200, body: { items: [vera], next: null } });
    expect((await json(await a.api("GET", "/access/passes?cursor=nonsense"))).status).toBe(400);

    const svg = await a.api("GET", "/access/passes/1/qr.svg");
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(svg.headers.get("cache-control")).toBe("private, no-store");
    const drawn = await svg.text();
    expect(drawn.startsWith("<svg")).toBe(true);
    expect(modulesOf(drawn, 8, 4)).toEqual(encode(code, { ecc: "M", border: 0 }).data);
    expect((await a.api("GET", "/access/passes/99/qr.svg")).status).toBe(404);

    const revoked = await json(await a.api("POST", "/access/passes/1/revoke"));
    expect(revoked).toEqual({ status: 200, body: { ...vera, revokedAt: T0, revokedBy: "token:api", status: "revoked" } });
    expect(await json(await a.api("POST", "/access/passes/1/revoke"))).toEqual(revoked);
    expect((await a.api("POST", "/access/passes/99/revoke")).status).toBe(404);
    expect((await a.api("GET", "/access/passes/99")).status).toBe(404);
    expect((await a.api("GET", "/access/passes/abc")).status).toBe(404);

    const entries = (await a.store.auditLog({ limit: 100 })).items.reverse().filter((r) => r.action.startsWith("access.pass"));
    expect(entries.map((e) => [e.action, e.target, e.actor])).toEqual([
      ["access.pass.create", "1", "token:api"],
      ["access.pass.create", "2", "token:api"],
      ["access.pass.create", "3", "token:api"],
      ["access.pass.revoke", "1", "token:api"],
    ]);
    for (const e of entries) expect(JSON.stringify(e)).not.toContain("TM20-");
    expect(JSON.parse(String(entries[0]?.details))).toEqual({ ...Object.fromEntries(Object.entries(vera).filter(([k]) => !["code", "status", "usesLeft", "createdAt", "createdBy"].includes(k))) });
  });

  test("refused: no door, times the wrong way round or unreadable, unknown level or terminal spelling, uses out of range, unknown fields", async () => {
    const a = await app();
    const ok = { name: "V", validFrom: "2026-03-10 09:00", validTo: "2026-03-10 17:00", terminals: ["FRONT"] };
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ...ok, terminals: [] }, 400, "levelIds: a pass opens at least one door: give levelIds or terminals"],
      [{ ...ok, validTo: "2026-03-10 08:00" }, 400, "validTo: 2026-03-10 08:00:00 is before validFrom 2026-03-10 09:00:00"],
      [{ ...ok, validFrom: "tomorrow" }, 400, 'validFrom: not a valid time: "tomorrow"'],
      [{ ...ok, levelIds: [42] }, 404, "no access level 42"],
      [{ ...ok, uses: 0 }, 400, "uses: must be at least 1"],
      [{ ...ok, name: " " }, 400, "name: fill this in"],
      [{ ...ok, terminals: ["a b"] }, 400, "terminals.0: sn has characters outside printable ASCII"],
      [{ ...ok, code: "MY-OWN-CODE-0123456789" }, 400, 'unknown field "code"'],
    ];
    for (const [body, status, message] of cases) {
      const res = await json(await a.api("POST", "/access/passes", body));
      expect([res.status, (res.body.error as { message?: string } | undefined)?.message ?? res.body.message]).toEqual([status, message]);
    }
    expect((await json(await a.api("GET", "/access/passes"))).body).toEqual({ items: [], next: null });
  });
});
