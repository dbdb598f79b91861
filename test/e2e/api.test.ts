import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createToken, startTm20, type Tm20Process } from "../helpers/server.ts";
import { runCli } from "../helpers/binary.ts";
import { until } from "../helpers/sim.ts";
import { connectTerminal } from "../helpers/terminal.ts";

let srv: Tm20Process;
const rec = (enrollid: number, time: string, inout = 0) => ({ enrollid, time, mode: 1, inout, event: 0 });

beforeAll(async () => {
  srv = await startTm20();
  for (const sn of ["API1", "API2"]) {
    const t = await connectTerminal(srv.ws());
    await t.register(sn);
    const record = [];
    for (let day = 1; day <= 3; day++) {
      for (let e = 1; e <= 5; e++) record.push(rec(e, `2026-02-0${day} 0${e}:00:00`, e % 2));
    }
    record.push({ enrollid: 0, time: "2026-02-01 12:00:00", mode: 0, inout: 0, event: 5 });
    record.push({ enrollid: "x", time: "2026-02-01 12:00:00" });
    t.send({ cmd: "sendlog", sn, count: record.length, logindex: 0, record });
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    t.close();
  }
  // The closes are written in the background (the offline marks); the tests below start once they are.
  const db = srv.db();
  await until("the offline marks written", () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM terminals WHERE online = 1").get()?.n === 0, 15_000);
  db.close();
});
afterAll(async () => {
  await srv.stop();
});

type Page = { items: Array<Record<string, unknown>>; next: string | null };
const get = async (path: string) => (await srv.api(path)).json() as Promise<Page>;

describe("API v1", () => {
  test("/health needs no token and reports the store", async () => {
    const res = await fetch(`${srv.http}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", store: { status: "ok", queue_depth: 0, problems: [] } });
  });

  test("/health answers an HTTP/1.0 request without a Host header (HAProxy's httpchk)", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      let text = "";
      Bun.connect({
        hostname: "127.0.0.1",
        port: srv.port,
        socket: {
          open: (s) => void s.write("GET /health HTTP/1.0\r\n\r\n"),
          data: (_s, d) => void (text += d.toString()),
          close: () => resolve(text),
          error: (_s, e) => reject(e),
        },
      }).catch(reject);
    });
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({ status: "ok" });
  });

  test("every API route refuses a missing, wrong or revoked token with a JSON 401", async () => {
    for (const path of ["/api/v1/terminals", "/api/v1/terminals/API1", "/api/v1/attendance", "/api/v1/door-events", "/api/v1/quarantine", "/api/v1/stats"]) {
      const none = await fetch(`${srv.http}${path}`);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ code: "unauthorized" });
      const wrong = await fetch(`${srv.http}${path}`, { headers: { authorization: "Bearer tm20_not-a-token" } });
      expect(wrong.status).toBe(401);
    }
    const token = createToken(srv.dataDir, "to-revoke");
    const ok = await fetch(`${srv.http}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const list = runCli(["token", "list", "--data-dir", srv.dataDir]);
    expect(list.stdout).not.toContain(token);
    const id = list.stdout.split("\n").find((l) => l.includes("to-revoke"))?.split("\t")[0] ?? "";
    expect(runCli(["token", "revoke", id, "--data-dir", srv.dataDir]).code).toBe(0);
    const revoked = await fetch(`${srv.http}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(revoked.status).toBe(401);
  });

  test("stats count exactly what was stored", async () => {
    expect(await (await srv.api("/api/v1/stats")).json()).toEqual({
      attendance_total: 30, door_events_total: 2, quarantined_total: 2, terminals_total: 2, terminals_online: 0,
      terminals_pending: 0, people_total: 0,
    });
  });

  test("terminals list and detail carry devinfo; an unknown sn is a 404", async () => {
    const list = (await (await srv.api("/api/v1/terminals")).json()) as { items: Array<{ sn: string; devinfo: { modelname: string } }>; next: string | null };
    expect(list.items.map((t) => t.sn)).toEqual(["API1", "API2"]);
    expect(list.next).toBeNull();
    expect(list.items[0]?.devinfo.modelname).toBe("test");
    expect(list.items[0]).not.toHaveProperty("sessionId");
    expect((await srv.api("/api/v1/terminals/NOPE")).status).toBe(404);
  });

  test("attendance filters: sn, enrollid, from (inclusive), to (exclusive)", async () => {
    expect((await get("/api/v1/attendance?limit=1000")).items.length).toBe(30);
    expect((await get("/api/v1/attendance?sn=API1&limit=1000")).items.length).toBe(15);
    const e3 = await get("/api/v1/attendance?enrollid=3&sn=API2");
    expect(e3.items.map((r) => r.time)).toEqual(["2026-02-03 03:00:00", "2026-02-02 03:00:00", "2026-02-01 03:00:00"]);
    const day2 = await get("/api/v1/attendance?from=2026-02-02&to=2026-02-03&sn=API1");
    expect(day2.items.length).toBe(5);
    expect(day2.items.every((r) => String(r.time).startsWith("2026-02-02"))).toBe(true);
    const window = await get("/api/v1/attendance?from=2026-02-02%2002:00&to=2026-02-02T04:00:00&sn=API1");
    expect(window.items.map((r) => r.time)).toEqual(["2026-02-02 03:00:00", "2026-02-02 02:00:00"]);
  });

  test("cursor pagination visits every row once, newest first", async () => {
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await get(`/api/v1/attendance?limit=7${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(30);
    const all = await get("/api/v1/attendance?limit=1000");
    expect(seen).toEqual(all.items.map((r) => r.id));
  });

  test("door events and quarantine", async () => {
    const doors = await get("/api/v1/door-events");
    expect(doors.items.map((d) => [d.sn, d.time, d.event])).toEqual([
      ["API2", "2026-02-01 12:00:00", 5],
      ["API1", "2026-02-01 12:00:00", 5],
    ]);
    const q = await get("/api/v1/quarantine");
    expect(q.items.length).toBe(2);
    expect(q.items[0]).toMatchObject({ sn: "API2", kind: "sendlog" });
    expect(JSON.parse(String(q.items[0]?.raw))).toEqual({ enrollid: "x", time: "2026-02-01 12:00:00" });
  });

  test("bad query parameters are a 400 naming the parameter", async () => {
    for (const [q, name] of [["limit=0", "limit"], ["from=yesterday", "from"], ["enrollid=abc", "enrollid"], ["cursor=zzz", "cursor"]] as const) {
      const res = await srv.api(`/api/v1/attendance?${q}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe("bad_request");
      expect(body.message).toContain(name);
    }
  });

  test("PATCH a terminal: name, location and nosenduser (answered at its next reg); bad bodies are a 400", async () => {
    const res = await srv.api("/api/v1/terminals/API1", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Front door", location: "Lobby", nosenduser: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sn: "API1", name: "Front door", location: "Lobby", nosenduser: true });
    const t = await connectTerminal(srv.ws());
    expect(await t.register("API1")).toMatchObject({ result: true, nosenduser: true });
    t.close();
    for (const body of [{ nosenduser: "yes" }, { unknown: 1 }, "not json"]) {
      const bad = await srv.api("/api/v1/terminals/API1", { method: "PATCH", body: typeof body === "string" ? body : JSON.stringify(body) });
      expect(bad.status).toBe(400);
    }
    const missing = await srv.api("/api/v1/terminals/NOPE", { method: "PATCH", body: JSON.stringify({ name: "x" }) });
    expect(missing.status).toBe(404);
  });
});
