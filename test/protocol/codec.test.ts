import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeFrame, type Frame } from "../../src/protocol/codec.ts";
import { loadCapture, TH900 } from "../helpers/captures.ts";
import { mutatedBytes, mutatedJson, mutatedText } from "../helpers/mutate.ts";

describe("decodeFrame", () => {
  test("a terminal command: trimmed body, raw kept as sent", () => {
    const text = '{" cmd ":" sendlog ","sn":" ZX1 ","record":[{" enrollid ":" 8 "}]}';
    expect(decodeFrame(text)).toEqual({
      ok: true,
      kind: "cmd",
      name: "sendlog",
      body: { cmd: "sendlog", sn: "ZX1", record: [{ enrollid: "8" }] },
      raw: { " cmd ": " sendlog ", sn: " ZX1 ", record: [{ " enrollid ": " 8 " }] },
    });
  });

  test("an answer (ret) wins over cmd when a frame has both", () => {
    const f = decodeFrame('{"ret":" getuserinfo ","cmd":"reg","result":true}');
    expect(f.ok && [f.kind, f.name]).toEqual(["ret", "getuserinfo"]);
  });

  test("binary frames holding UTF-8 JSON decode like text", () => {
    const text = '{"cmd":"reg","sn":"Zé1"}';
    expect(decodeFrame(new TextEncoder().encode(text))).toEqual(decodeFrame(text));
  });

  test("every way a frame can be unreadable has its own reason", () => {
    const cases: Array<[string | Uint8Array, string]> = [
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "binary frame is not UTF-8"],
      ["", "frame is not JSON"],
      ["{cmd:reg}", "frame is not JSON"],
      ['{"cmd":"reg"', "frame is not JSON"],
      ["[]", "frame is not a JSON object"],
      ["null", "frame is not a JSON object"],
      ['"reg"', "frame is not a JSON object"],
      ["42", "frame is not a JSON object"],
      ["{}", "frame has neither cmd nor ret"],
      ['{"cmd":""}', "frame has neither cmd nor ret"],
      ['{"cmd":"   "}', "frame has neither cmd nor ret"],
      ['{"cmd":1}', "frame has neither cmd nor ret"],
      ['{"ret":null,"cmd":["reg"]}', "frame has neither cmd nor ret"],
    ];
    for (const [input, error] of cases) expect(decodeFrame(input)).toEqual({ ok: false, error });
  });

  test("trailing commas, as getdevlock answers carry them (PROTOCOL.md §7.1), are read; only in frames small enough for such answers", () => {
    const f = decodeFrame('{"ret":"getdevlock","result":true,"weekzone":[1,2,],"opendelay":"5",}');
    expect(f.ok && [f.kind, f.name, f.body]).toEqual(["ret", "getdevlock", { ret: "getdevlock", result: true, weekzone: [1, 2], opendelay: "5" }]);
    const big = `{"ret":"getdevlock","pad":"${"x".repeat(70_000)}",}`;
    expect(decodeFrame(big)).toEqual({ ok: false, error: "frame is not JSON" });
    expect(decodeFrame('{"cmd":"reg",,}')).toEqual({ ok: false, error: "frame is not JSON" });
  });

  test("an empty ret falls back to cmd (AiFace answers with cmd)", () => {
    const f = decodeFrame('{"ret":"","cmd":"getnewlog","count":0}');
    expect(f.ok && [f.kind, f.name]).toEqual(["cmd", "getnewlog"]);
  });

  test("deeply nested JSON is a bad frame with a reason, never an exception", () => {
    const deep = (open: string, close: string, n: number) => `{"cmd":"sendlog","x":${open.repeat(n)}1${close.repeat(n)}}`;
    for (const text of [deep('{"a":', "}", 100_000), deep("[", "]", 100_000), deep('{"a":', "}", 40)]) {
      const f = decodeFrame(text);
      expect(f.ok).toBe(false);
      expect(!f.ok && f.error).toMatch(/^frame is (nested deeper than 32 levels|not JSON)$/);
    }
    expect(decodeFrame(deep('{"a":', "}", 20)).ok).toBe(true);
  });
});

/** What the boundary promises: a frame, or a reason; never an exception. */
function wellFormed(f: Frame): boolean {
  if (!f.ok) return typeof f.error === "string" && f.error.length > 0;
  return (
    (f.kind === "cmd" || f.kind === "ret") &&
    f.name.length > 0 &&
    f.name === f.name.trim() &&
    f.body[f.kind] === f.name &&
    typeof f.raw === "object"
  );
}

describe("decodeFrame properties", () => {
  const captured = loadCapture(TH900).map((c) => c.frame);

  test("random text never throws", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => wellFormed(decodeFrame(s))), { numRuns: 2000 });
  });

  test("random bytes never throw", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => wellFormed(decodeFrame(b))), { numRuns: 2000 });
  });

  test("random JSON: ok exactly when it is an object naming a cmd or ret", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ cmd: fc.string(), ret: fc.option(fc.string(), { nil: undefined }) })), (value) => {
        const f = decodeFrame(JSON.stringify(value));
        const named = (v: unknown) => typeof v === "string" && v.trim() !== "";
        const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
        const o = value as Record<string, unknown>;
        // Only frames without padded duplicate keys have an obvious expected answer.
        const plainKeys = isObject && Object.keys(o).every((k) => k === k.trim());
        if (plainKeys) expect(f.ok).toBe(named(o.cmd) || named(o.ret));
        if (f.ok) expect(f.raw).toEqual(value as Record<string, unknown>);
        return wellFormed(f);
      }),
      { numRuns: 2000 },
    );
  });

  test("mutated captured frames (text, bytes and JSON structure) never throw", () => {
    for (const frame of captured) {
      fc.assert(fc.property(mutatedText(frame), (s) => wellFormed(decodeFrame(s))), { numRuns: 300 });
      fc.assert(fc.property(mutatedBytes(frame), (b) => wellFormed(decodeFrame(b))), { numRuns: 200 });
      fc.assert(fc.property(mutatedJson(frame), (s) => wellFormed(decodeFrame(s))), { numRuns: 200 });
    }
  });
});
