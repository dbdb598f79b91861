/** Every terminal→server frame captured from a real unit decodes and validates; our answers have the accepted shapes. */
import { describe, expect, test } from "bun:test";
import { regAccepted, sendlogAnswer } from "../../src/protocol/answers.ts";
import { decodeFrame } from "../../src/protocol/codec.ts";
import { int, regMessage, sendlogMessage } from "../../src/protocol/messages.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { splitRecords } from "../../src/terminals/ingest.ts";
import { NOT_IN_CONTRACT, shapeDifferences } from "../helpers/answer-shape.ts";
import { loadCapture, parsed, TH900 } from "../helpers/captures.ts";

const frames = loadCapture(TH900);
const t2s = frames.filter((f) => f.dir === "t2s");
const clock = new SiteClock("Europe/Berlin");

const decoded = (frame: string) => {
  const f = decodeFrame(frame);
  if (!f.ok) throw new Error(f.error);
  return f;
};

describe(`captured frames: ${TH900}`, () => {
  test("the capture holds what the tests rely on", () => {
    expect(frames.length).toBe(16);
    expect(t2s.map((f) => decoded(f.frame).name)).toEqual(["reg", "sendlog", "getnewlog", "getuserlist", "getuserinfo", "getuserinfo", "getuserinfo", "opendoor"]);
  });

  test("every t2s frame decodes, as text and as a binary frame", () => {
    for (const f of t2s) {
      const text = decodeFrame(f.frame);
      expect(text.ok).toBe(true);
      expect(decodeFrame(new TextEncoder().encode(f.frame))).toEqual(text);
    }
  });

  test("reg validates: sn, no cpusn, the whole devinfo", () => {
    const frame = t2s.find((f) => decoded(f.frame).name === "reg");
    const msg = regMessage.parse(decoded(frame?.frame ?? "").body);
    expect(msg.sn).toBe("ZYTI25116685");
    expect(msg.cpusn).toBeUndefined();
    expect(msg.devinfo).toEqual({
      modelname: "tfs30", usersize: 3000, fpsize: 3000, cardsize: 3000, pwdsize: 3000, logsize: 193877, useduser: 2, usedfp: 2,
      usedcard: 0, usedpwd: 0, usedlog: 1, usednewlog: 0, fpalgo: "thbio3.0", firmware: "TH900_click V5.0", time: "2026-04-30 11:59:37",
      mac: "00-01-F5-02-7D-5F",
    });
  });

  test("sendlog and the getnewlog page validate and split into one punch each, nothing quarantined", () => {
    for (const name of ["sendlog", "getnewlog"]) {
      const f = decoded(t2s.find((c) => decoded(c.frame).name === name)?.frame ?? "");
      const records = name === "sendlog" ? sendlogMessage.parse(f.body).record : (f.body.record as unknown[]);
      const split = splitRecords(records, f.raw.record as unknown[], clock, name);
      expect(split).toEqual({
        punches: [{ enrollid: 2, time: "2026-04-30 11:56:20", ts: Date.UTC(2026, 3, 30, 9, 56, 20), mode: 1, inout: 0, event: 0 }],
        quarantine: [],
      });
    }
  });

  test("answers: getuserlist gives admin as a string, getuserinfo as a number; both read as integers", () => {
    const list = decoded(t2s.find((c) => decoded(c.frame).name === "getuserlist")?.frame ?? "").body;
    expect(list).toMatchObject({ result: true, count: 2, from: 0, to: 2 });
    expect((list.record as Array<Record<string, unknown>>).map((r) => [int.parse(r.enrollid), int.parse(r.admin), int.parse(r.backupnum)])).toEqual([
      [1, 0, 0],
      [2, 0, 0],
    ]);
    const infos = t2s.map((c) => decoded(c.frame)).filter((f) => f.name === "getuserinfo");
    expect(infos.map((f) => [f.body.result, f.body.enrollid, f.body.name, f.body.admin])).toEqual([
      [true, 1, "Ben", 0],
      [true, 2, "Lw", 0],
      [false, undefined, undefined, undefined],
    ]);
    // Templates are kept byte for byte, "(N)" runs included.
    expect(String(infos[0]?.body.record)).toContain("(200)");
    const ben = t2s.find((c) => c.frame.includes('"name":"Ben"'));
    expect(infos[0]?.body.record).toBe(ben ? parsed(ben).record : "missing");
  });

  test("our reg and sendlog answers have the shape of the answers the unit accepted", () => {
    const accepted = frames.filter((f) => f.dir === "s2t").map(parsed);
    const regOk = accepted.find((a) => a.ret === "reg");
    const sendlogOk = accepted.find((a) => a.ret === "sendlog");
    expect(shapeDifferences(regAccepted("2026-04-30 11:59:38", false), regOk ?? {}, NOT_IN_CONTRACT)).toEqual([]);
    expect(shapeDifferences(sendlogAnswer(true, 1, 1, "2026-04-30 11:59:38"), sendlogOk ?? {})).toEqual([]);
  });
});
