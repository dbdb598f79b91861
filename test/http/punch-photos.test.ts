/**
 * Punch photos (issue 14): a face terminal's photo, stored with its punch, through the API
 * (`photoUrl` on /api/v1/attendance, GET /api/v1/attendance/{id}/photo, read scope) and the admin
 * UI (a thumbnail on /attendance, the image at /attendance/{id}/photo for the logged-in): the type
 * read from the bytes, private caching with an ETag, 404 without a photo.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { scopeFor } from "../../src/http/middleware/token-scope.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const clock = new SiteClock("UTC");
/** A JPEG's first bytes, then some payload. */
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 1, 2, 3, 4]);
const HTML = new TextEncoder().encode("<script>alert(1)</script>");
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

let app: InProcessApp;
const ids = { jpeg: 0, none: 0, html: 0 };

beforeAll(async () => {
  app = await buildApp();
  const punch = (enrollid: number, time: string, image?: string) => ({ enrollid, time, ts: clock.toUtc(time), mode: 8, inout: 0, event: 0, ...(image ? { image } : {}) });
  await app.store.write([
    { type: "punches", sn: "FACE1", at: Date.now(), quarantine: [], punches: [punch(1, "2026-03-02 08:00:00", b64(JPEG)), punch(2, "2026-03-02 08:01:00"), punch(3, "2026-03-02 08:02:00", b64(HTML))] },
  ]);
  const rows = await app.store.attendanceSlice({}, "time", 0, 10);
  [ids.jpeg, ids.none, ids.html] = rows.map((r) => r.id) as [number, number, number];
});

afterAll(async () => {
  await app.stop();
});

describe("punch photos in the API", () => {
  test("attendance rows carry photoUrl: the photo's route, or null", async () => {
    const res = await app.api("GET", "/attendance?from=2026-03-02&to=2026-03-03");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Array<{ id: number; enrollid: number; photoUrl: string | null }>; next: string | null };
    expect(body.items.map((r) => [r.enrollid, r.photoUrl])).toEqual([
      [3, `/api/v1/attendance/${ids.html}/photo`],
      [2, null],
      [1, `/api/v1/attendance/${ids.jpeg}/photo`],
    ]);
    expect(body.next).toBeNull();
  });

  test("the photo: its bytes as image/jpeg, cached privately with an ETag that answers 304", async () => {
    const res = await app.api("GET", `/attendance/${ids.jpeg}/photo`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("cache-control")).toBe("private, max-age=604800");
    expect(res.headers.get("etag")).toBe(`"punch-${ids.jpeg}"`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG);
    const again = await app.request(`/api/v1/attendance/${ids.jpeg}/photo`, { headers: { authorization: "Bearer tm20_in-process-test-token", "if-none-match": `"punch-${ids.jpeg}"` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  test("bytes that are no image are an octet-stream attachment, never rendered", async () => {
    const res = await app.api("GET", `/attendance/${ids.html}/photo`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="photo.bin"');
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("a punch without a photo, an unknown punch and a bad id: 404 with a code", async () => {
    const none = await app.api("GET", `/attendance/${ids.none}/photo`);
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ code: "not_found", message: `punch ${ids.none} has no photo` });
    expect((await app.api("GET", "/attendance/999999/photo")).status).toBe(404);
    const bad = await app.api("GET", "/attendance/abc/photo");
    expect(bad.status).toBe(404);
    expect(await bad.json()).toEqual({ code: "not_found", message: "no such punch" });
    expect((await app.request(`/api/v1/attendance/${ids.jpeg}/photo`)).status).toBe(401);
  });

  test("a read token may see photos", () => {
    expect(scopeFor("GET", `/attendance/${ids.jpeg}/photo`)).toBe("read");
  });
});

describe("punch photos in the admin UI", () => {
  test("the attendance list shows a thumbnail beside the punch that has one", async () => {
    const html = await (await app.page("/attendance")).text();
    const thumbs = [...html.matchAll(/<img src="\/attendance\/(\d+)\/photo"/g)].map((m) => Number(m[1]));
    expect(thumbs).toEqual([ids.html, ids.jpeg]);
    expect(html).toContain(`data-photo="/attendance/${ids.jpeg}/photo"`);
  });

  test("the image for the logged-in; without a session, the login", async () => {
    const res = await app.page(`/attendance/${ids.jpeg}/photo`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG);
    expect((await app.page(`/attendance/${ids.jpeg}/photo`, { "if-none-match": `"punch-${ids.jpeg}"` })).status).toBe(304);
    expect((await app.page(`/attendance/${ids.none}/photo`)).status).toBe(404);
    // Its id read as the API reads one: a leading zero is no alias of the punch.
    expect((await app.page(`/attendance/0${ids.jpeg}/photo`)).status).toBe(404);
    const anon = await app.request(`/attendance/${ids.jpeg}/photo`);
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe(`/login?next=${encodeURIComponent(`/attendance/${ids.jpeg}/photo`)}`);
  });
});
