/**
 * Issue 15: attacks from a hostile LAN, each performed against a real server and refused.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectRaw } from "../helpers/raw-ws.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const FIRMWARE_ORIGIN = "http://firmware.local";
let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--terminal-origins", `${FIRMWARE_ORIGIN}, null`] });
});
afterAll(async () => {
  await srv.stop();
});

test("a browser's WebSocket upgrade (with an Origin) on a terminal path is refused 403, logged once per burst; listed origins and terminals pass", async () => {
  for (let i = 0; i < 3; i++) {
    await expect(connectRaw(srv.port, "/pub/chat", { Origin: "http://evil.example" })).rejects.toThrow("no upgrade: HTTP/1.1 403");
  }
  await expect(connectRaw(srv.port, "/", { Origin: "not a url" })).rejects.toThrow("no upgrade: HTTP/1.1 403");
  const refusals = srv.logs.filter((l) => String(l.msg).startsWith("terminal connection refused: a browser's upgrade"));
  expect(refusals.map((l) => [l.level, l.origin, l.refused])).toEqual([[40, "http://evil.example", 1]]);

  const listed = await connectRaw(srv.port, "/pub/chat", { Origin: FIRMWARE_ORIGIN });
  listed.destroy();
  const nullOrigin = await connectRaw(srv.port, "/pub/chat", { Origin: "null" });
  nullOrigin.destroy();
  const t = await connectTerminal(srv.ws());
  await t.register("ORIGIN1");
  t.close();
  const metrics = await (await srv.api("/metrics")).text();
  expect(metrics).toMatch(/tm20_connections_refused_total\{reason="origin"\} 4\b/);
});

test("a malformed Origin on an HTTP route is a clean 4xx, never a 500", async () => {
  for (const path of ["/login", "/setup"]) {
    const res = await fetch(`${srv.http}${path}`, { method: "POST", headers: { origin: "http://[bad", "content-type": "application/x-www-form-urlencoded" }, body: "a=1", redirect: "manual" });
    expect([path, res.status]).toEqual([path, 403]);
  }
  expect(srv.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
});
