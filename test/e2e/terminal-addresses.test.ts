/**
 * Issue 15, `--terminal-addresses`: a terminal upgrade from outside the listed ranges is refused
 * 403 before it becomes a WebSocket, against a real server. Clients connect from chosen loopback
 * addresses (Linux routes all of 127.0.0.0/8 to lo), so the peer address is the real one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectedLogged } from "../helpers/log-barrier.ts";
import { connectRaw } from "../helpers/raw-ws.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";

async function refusedCount(srv: Tm20Process): Promise<string | undefined> {
  return /tm20_connections_refused_total\{reason="address"\} (\d+)/.exec(await (await srv.api("/metrics")).text())?.[1];
}

/** The terminal as the API shows it, once its registration is stored. */
async function registeredFrom(srv: Tm20Process, sn: string): Promise<unknown> {
  for (let i = 0; i < 100; i++) {
    const res = await srv.api(`/api/v1/terminals/${sn}`);
    if (res.status === 200) return ((await res.json()) as { remoteAddr: unknown }).remoteAddr;
    await Bun.sleep(50);
  }
  throw new Error(`${sn} never registered`);
}

describe("--terminal-addresses", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--terminal-addresses", "127.0.0.2, 10.1.0.0/16, fd00::/8", "--trusted-proxies", "127.0.0.3"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("an upgrade from outside is refused 403 (logged once per burst, counted); a listed address connects and registers", async () => {
    for (let i = 0; i < 3; i++) await expect(connectRaw(srv.port, "/pub/chat", {}, "127.0.0.1")).rejects.toThrow("no upgrade: HTTP/1.1 403");
    expect(await refusedCount(srv)).toBe("3");

    const ws = await connectRaw(srv.port, "/pub/chat", {}, "127.0.0.2");
    ws.send(JSON.stringify({ cmd: "reg", sn: "INSIDE1", devinfo: { modelname: "tfs30" } }));
    expect(await registeredFrom(srv, "INSIDE1")).toBe("127.0.0.2");
    ws.destroy();
    // The server's log reaches srv.logs through a pipe, in order: once INSIDE1's line is in, every refusal's is.
    await connectedLogged(srv, "INSIDE1");
    const refusals = srv.logs.filter((l) => l.msg === "terminal connection refused: address outside --terminal-addresses");
    expect(refusals.map((l) => [l.level, l.remote, l.refused])).toEqual([[40, "127.0.0.1", 1]]);
    // The rest of the port is not a terminal's: the UI and API answer anyone.
    expect((await fetch(`${srv.http}/health`)).status).toBe(200);
  });

  test("behind a trusted proxy the address its X-Forwarded-For names is checked; from anyone else the header is ignored", async () => {
    const viaProxy = await connectRaw(srv.port, "/pub/chat", { "X-Forwarded-For": "10.1.2.3" }, "127.0.0.3");
    viaProxy.send(JSON.stringify({ cmd: "reg", sn: "PROXIED1", devinfo: { modelname: "tfs30" } }));
    expect(await registeredFrom(srv, "PROXIED1")).toBe("10.1.2.3");
    viaProxy.destroy();
    await expect(connectRaw(srv.port, "/pub/chat", { "X-Forwarded-For": "10.2.0.1" }, "127.0.0.3")).rejects.toThrow("no upgrade: HTTP/1.1 403");
    // The proxy itself is not a terminal address.
    await expect(connectRaw(srv.port, "/pub/chat", {}, "127.0.0.3")).rejects.toThrow("no upgrade: HTTP/1.1 403");
    await expect(connectRaw(srv.port, "/pub/chat", { "X-Forwarded-For": "10.1.2.3" }, "127.0.0.1")).rejects.toThrow("no upgrade: HTTP/1.1 403");
    expect(await refusedCount(srv)).toBe("6");
  });
});
