/**
 * Issue 11's freeze: a socket that registered as one sn and then as another left the first
 * "online" with no socket behind it, and a command for it spun without end (the server stopped
 * answering, SIGTERM included). A socket now speaks for one terminal, and nothing it registered
 * outlives it.
 */
import { expect, test } from "bun:test";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { until } from "../helpers/sim.ts";
import { connectTerminal } from "../helpers/terminal.ts";

type Json = Record<string, unknown>;

/** /health must answer within a second, every time. */
async function healthy(srv: Tm20Process): Promise<Json> {
  const res = await fetch(`${srv.http}/health`, { signal: AbortSignal.timeout(1000) });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

test("a reg for a second sn is refused and closes the socket; the first goes offline; its command waits; the server stays answerable", async () => {
  const srv = await startTm20();
  let stopped = false;
  try {
    const t = await connectTerminal(srv.ws());
    expect(await t.register("TERMA")).toMatchObject({ ret: "reg", result: true });
    t.send({ cmd: "reg", sn: "TERMB", devinfo: { modelname: "test" } });
    expect(await t.next((m) => m.ret === "reg")).toEqual({ ret: "reg", result: false, reason: "Invalid registration" });
    expect(await t.closed).toMatchObject({ code: 4003 });
    expect(await srv.waitForLog("reg for another sn on the same socket refused; closing")).toMatchObject({ sn: "TERMA", otherSn: "TERMB" });

    // Offline everywhere: the registry (/health), the store (API); TERMB was never registered.
    await until("TERMA offline", async () => {
      const res = (await (await srv.api("/api/v1/terminals/TERMA")).json()) as Json;
      return res.online === false ? res : undefined;
    });
    expect((await healthy(srv)).terminals_connected).toBe(0);
    expect((await srv.api("/api/v1/terminals/TERMB")).status).toBe(404);

    const res = await srv.api("/api/v1/terminals/TERMA/commands", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: "getdevinfo", params: {} }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    for (let i = 0; i < 6; i++) {
      await healthy(srv);
      await Bun.sleep(500);
    }
    const command = (await (await srv.api(`/api/v1/commands/${id}`)).json()) as { status: string; history: Json[] };
    expect(command.status).toBe("queued");
    expect(command.history.length).toBe(1);

    // The next registration of TERMA gets it.
    const again = await connectTerminal(srv.ws());
    await again.register("TERMA");
    expect(await again.next((m) => m.cmd === "getdevinfo")).toMatchObject({ cmd: "getdevinfo" });
    again.close();

    const started = Date.now();
    stopped = true;
    expect(await srv.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(12_000);
  } finally {
    if (!stopped) await srv.kill9();
  }
}, 60_000);
