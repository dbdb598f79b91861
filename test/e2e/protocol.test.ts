import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--tz", "Asia/Tokyo"] });
});
afterAll(async () => {
  await srv.stop();
});

const CLOUDTIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function expectBetween(ms: number, from: number, to: number) {
  expect({ ms, inRange: ms >= from && ms <= to }).toEqual({ ms, inRange: true });
}

describe("terminal protocol", () => {
  test("reg is answered with cloudtime in the site zone, on any path", async () => {
    for (const path of ["/", "/pub/chat", "/ws", "/ws/tm20/", "/ws/tm20/P1/"]) {
      const t = await connectTerminal(srv.ws(path));
      const before = Math.floor(Date.now() / 1000) * 1000;
      const answer = await t.register(`PATH${path.replace(/\W/g, "")}`);
      const after = Date.now();
      expect(answer).toMatchObject({ ret: "reg", result: true, nosenduser: false });
      expect(String(answer.cloudtime)).toMatch(CLOUDTIME);
      // Tokyo's wall clock (UTC+9) at the answer: read between the two looks, not compared with a
      // minute read afterwards (a minute that ends in between would fail it).
      expectBetween(Date.parse(`${String(answer.cloudtime).replace(" ", "T")}+09:00`), before, after);
      t.close();
    }
  });

  test("sendlog stores good records, quarantines a bad one, echoes count and logindex", async () => {
    const t = await connectTerminal(srv.ws());
    await t.register("MIX1");
    t.send({
      cmd: "sendlog", sn: "MIX1", count: 4, logindex: 0,
      record: [
        { enrollid: 7, time: "2026-01-05 08:00:00", mode: 1, inout: 0, event: 0 },
        { enrollid: 7, time: "2026-13-05 08:00:00", mode: 1, inout: 0, event: 0 },
        { " enrollid ": " 8 ", time: "2026-1-5 8:01:00", mode: "8", inout: 1, event: 0 },
        { enrollid: 0, time: "2026-01-05 08:02:00", mode: 0, inout: 0, event: 1 },
      ],
    });
    const answer = await t.next((m) => m.ret === "sendlog");
    expect(answer).toMatchObject({ ret: "sendlog", result: true, count: 4, logindex: 0, access: 1 });
    const db = srv.db();
    expect(db.query("SELECT enrollid, time, mode, inout FROM attendance WHERE sn='MIX1' ORDER BY enrollid").all()).toEqual([
      { enrollid: 7, time: "2026-01-05 08:00:00", mode: 1, inout: 0 },
      { enrollid: 8, time: "2026-01-05 08:01:00", mode: 8, inout: 1 },
    ]);
    expect(db.query("SELECT time, event FROM door_events WHERE sn='MIX1'").all()).toEqual([{ time: "2026-01-05 08:02:00", event: 1 }]);
    const q = db.query("SELECT raw, reason FROM quarantine WHERE sn='MIX1'").all() as Array<{ raw: string; reason: string }>;
    expect(q.length).toBe(1);
    expect(JSON.parse(q[0]?.raw ?? "")).toEqual({ enrollid: 7, time: "2026-13-05 08:00:00", mode: 1, inout: 0, event: 0 });
    expect(q[0]?.reason).toContain("time");
    db.close();
    t.close();
  });

  test("sendlog before reg is refused with reason 1", async () => {
    const t = await connectTerminal(srv.ws());
    t.send({ cmd: "sendlog", sn: "EARLY", count: 1, logindex: 0, record: [{ enrollid: 1, time: "2026-01-01 00:00:00", mode: 1, inout: 0, event: 0 }] });
    expect(await t.next()).toEqual({ ret: "sendlog", result: false, reason: 1 });
    t.close();
  });
});
