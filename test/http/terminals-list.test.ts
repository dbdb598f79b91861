/** GET /api/v1/terminals: keyset pages by serial number, like the API's other lists. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encodeCursor } from "../../src/store/cursor.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
const COUNT = 250;
const sns = Array.from({ length: COUNT }, (_, i) => `T${String(i).padStart(4, "0")}`);

let a: InProcessApp;
beforeAll(async () => {
  a = await buildApp();
  // Written in reverse: the order of the pages is the serial number's, not the insertion's.
  await a.store.write(
    [...sns].reverse().map((sn, i) => ({
      type: "terminal-seen" as const, sn, at: T0 + i, sessionId: `s-${sn}`, remoteAddr: "10.0.0.1", cpusn: `CPU-${sn}`, devinfo: null, approvalIfNew: "approved" as const, online: false,
    })),
  );
  await a.store.write([{ type: "terminal-seen", sn: "LOBBY", at: T0, sessionId: "s-L", remoteAddr: "10.0.0.1", cpusn: "CPU-L", devinfo: null, approvalIfNew: "approved", online: false }]);
});
afterAll(async () => a.stop());

type Page = { items: Array<{ sn: string; sessionId?: unknown }>; next: string | null };

async function list(query: string): Promise<{ status: number; json: Page & { code?: string; message?: string } }> {
  const res = await a.api("GET", `/terminals${query}`);
  return { status: res.status, json: (await res.json()) as Page & { code?: string; message?: string } };
}

describe("GET /api/v1/terminals", () => {
  test("pages of `limit` in serial-number order, every terminal exactly once, next null on the last page", async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const { status, json } = await list(`?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(status).toBe(200);
      sizes.push(json.items.length);
      seen.push(...json.items.map((t) => t.sn));
      expect(json.items.every((t) => !("sessionId" in t))).toBe(true);
      cursor = json.next;
    } while (cursor !== null);
    expect(sizes).toEqual([100, 100, 51]);
    expect(seen).toEqual(["LOBBY", ...sns].sort());
    // The same query twice is the same page.
    expect((await list("?limit=100")).json).toEqual((await list("?limit=100")).json);
  });

  test("100 a page by default, 1000 at most", async () => {
    expect((await list("")).json.items.length).toBe(100);
    expect((await list("?limit=1000")).json).toMatchObject({ next: null });
    expect((await list("?limit=1000")).json.items.length).toBe(COUNT + 1);
    for (const bad of ["?limit=0", "?limit=1001", "?limit=x"]) {
      const { status, json } = await list(bad);
      expect({ bad, status, code: json.code, message: typeof json.message }).toEqual({ bad, status: 400, code: "bad_request", message: "string" });
    }
  });

  test("q keeps the terminals whose serial number, name or location holds it", async () => {
    expect((await list("?q=lob")).json).toEqual({ items: [expect.objectContaining({ sn: "LOBBY" })], next: null });
    const { json } = await list("?q=T02&limit=30");
    expect(json.items.map((t) => t.sn)).toEqual(sns.filter((sn) => sn.includes("T02")).slice(0, 30));
    expect(json.next).not.toBeNull();
  });

  test("a cursor that is not one of ours is a 400 {code, message}", async () => {
    for (const cursor of ["not-a-cursor", encodeCursor([5])]) {
      const { status, json } = await list(`?cursor=${encodeURIComponent(cursor)}`);
      expect(status).toBe(400);
      expect(Object.keys(json).sort()).toEqual(["code", "message"]);
    }
  });
});
