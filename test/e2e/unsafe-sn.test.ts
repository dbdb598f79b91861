/**
 * Issue 15: an sn an HTTP path cannot carry (`.`, `..`, `/`, `%`, …) is refused at registration, so
 * no terminal exists that the UI and API could not block. Against a real server (open approval,
 * where any other sn is accepted at once).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectedLogged } from "../helpers/log-barrier.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--approval", "open"] });
});
afterAll(async () => {
  await srv.stop();
});

test("reg with sn . or .. or a path-like sn is refused as invalid and not stored; a good sn still registers", async () => {
  const t = await connectTerminal(srv.ws());
  for (const sn of [".", "..", "../etc", "a/b", "a\\b", "%2e%2e", "x?y", "x#y"]) {
    t.send({ cmd: "reg", sn, devinfo: { modelname: "tfs30" } });
    expect(await t.next((m) => m.ret === "reg")).toEqual({ ret: "reg", result: false, reason: "Invalid registration" });
  }
  t.close();
  await t.closed;

  const good = await connectTerminal(srv.ws());
  expect(await good.register("GOOD.1")).toMatchObject({ ret: "reg", result: true });
  // The log reaches srv.logs through a pipe, in order: once GOOD.1's line is in, every warning is.
  await connectedLogged(srv, "GOOD.1");
  const warned = srv.logs.filter((l) => l.msg === "invalid reg").map((l) => l.regSn);
  expect(warned).toEqual([".", "..", "../etc", "a/b", "a\\b"]);
  const db = srv.db();
  expect(db.query("SELECT sn FROM terminals ORDER BY sn").all()).toEqual([{ sn: "GOOD.1" }]);
  db.close();
  const res = await srv.api("/api/v1/terminals/GOOD.1/block", { method: "POST" });
  expect(res.status).toBe(200);
  good.close();
});
