/** Replays the frames a real unit sent (reg, sendlog) against a real server, as text and as binary frames. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { NOT_IN_CONTRACT, shapeDifferences } from "../helpers/answer-shape.ts";
import { loadCapture, parsed, TH900 } from "../helpers/captures.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const frames = loadCapture(TH900);
const t2s = (cmd: string) => frames.find((f) => f.dir === "t2s" && parsed(f).cmd === cmd)?.frame ?? "";
const accepted = (ret: string) => frames.map(parsed).find((f) => f.ret === ret && !("sn" in f) && "result" in f) ?? {};
const SN = "ZYTI25116685";

let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--tz", "Europe/Berlin"] });
});
afterAll(async () => {
  await srv.stop();
});

test("the captured reg and sendlog get answers shaped like the ones the unit accepted, and are stored once", async () => {
  const t = await connectTerminal(srv.ws("/pub/chat"));
  t.send(t2s("reg"));
  const reg = await t.next((m) => m.ret === "reg");
  expect(shapeDifferences(reg, accepted("reg"), NOT_IN_CONTRACT)).toEqual([]);
  expect(String(reg.cloudtime)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

  // The unit re-sends reg on the same socket as its heartbeat: answered the same way.
  t.send(t2s("reg"));
  expect(shapeDifferences(await t.next((m) => m.ret === "reg"), accepted("reg"), NOT_IN_CONTRACT)).toEqual([]);

  t.send(t2s("sendlog"));
  const answer = await t.next((m) => m.ret === "sendlog");
  expect(shapeDifferences(answer, accepted("sendlog"))).toEqual([]);
  expect(answer).toMatchObject({ ret: "sendlog", result: true, count: 1, logindex: 1 });

  // A resend after a lost answer, on a new connection and as a binary frame: positive, stored once.
  const again = await connectTerminal(srv.ws("/pub/chat"));
  again.send(new TextEncoder().encode(t2s("reg")));
  expect((await again.next((m) => m.ret === "reg")).result).toBe(true);
  again.send(new TextEncoder().encode(t2s("sendlog")));
  expect(await again.next((m) => m.ret === "sendlog")).toMatchObject({ ret: "sendlog", result: true, count: 1, logindex: 1 });
  await t.closed;

  const db = srv.db();
  try {
    expect(db.query("SELECT sn, enrollid, time, mode, inout, event FROM attendance").all()).toEqual([
      { sn: SN, enrollid: 2, time: "2026-04-30 11:56:20", mode: 1, inout: 0, event: 0 },
    ]);
    const row = db.query("SELECT approval, online, model, firmware, fpalgo, mac, user_size, log_size, cpusn, devinfo FROM terminals WHERE sn = ?").get(SN) as Record<string, unknown>;
    const { devinfo, ...columns } = row;
    expect(columns).toEqual({
      approval: "approved", online: 1, model: "tfs30", firmware: "TH900_click V5.0", fpalgo: "thbio3.0", mac: "00-01-F5-02-7D-5F",
      user_size: 3000, log_size: 193877, cpusn: null,
    });
    expect(JSON.parse(String(devinfo))).toEqual(JSON.parse(t2s("reg")).devinfo);
    expect(db.query("SELECT count(*) AS n FROM quarantine").get()).toEqual({ n: 0 });
  } finally {
    db.close();
  }
  again.close();
});
