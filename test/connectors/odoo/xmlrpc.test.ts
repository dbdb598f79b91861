/**
 * The XML-RPC codec against Debian's Python `xmlrpc.client` (the library Odoo's own server marshals
 * with): what Python writes we read, what we write Python reads, and garbage is an XmlRpcError.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeCall, decodeResponse, encodeCall, encodeFault, encodeResponse, XmlRpcError, type XmlRpcValue } from "../../../src/connectors/odoo/xmlrpc.ts";

function python(script: string, stdin = ""): string {
  const out = Bun.spawnSync(["/usr/bin/python3", "-c", script], { stdin: new TextEncoder().encode(stdin) });
  if (out.exitCode !== 0) throw new Error(`python3 failed: ${out.stderr.toString()}`);
  return out.stdout.toString();
}

describe("XML-RPC codec", () => {
  test("reads what Python's xmlrpc.client writes: Odoo's search_read answer and a fault", () => {
    const answer = python(`
import xmlrpc.client, sys
rows = [{"id": 3, "employee_id": [100, "Marc Demo"], "check_in": "2026-03-02 22:00:00", "check_out": False, "worked_hours": 7.5, "name": "<Zoë & co>"}]
sys.stdout.write(xmlrpc.client.dumps((rows,), methodresponse=True))`);
    expect(decodeResponse(answer)).toEqual({
      ok: true,
      value: [{ id: 3, employee_id: [100, "Marc Demo"], check_in: "2026-03-02 22:00:00", check_out: false, worked_hours: 7.5, name: "<Zoë & co>" }],
    });
    const fault = python(`
import xmlrpc.client, sys
sys.stdout.write(xmlrpc.client.dumps(xmlrpc.client.Fault(2, "Cannot create new attendance record for Marc Demo, the employee hasn't checked out since Mar 2, 2026, 8:00:00 AM")))`);
    expect(decodeResponse(fault)).toEqual({
      ok: false,
      fault: { faultCode: 2, faultString: "Cannot create new attendance record for Marc Demo, the employee hasn't checked out since Mar 2, 2026, 8:00:00 AM" },
    });
  });

  test("Python's xmlrpc.client reads our execute_kw call", () => {
    const call = encodeCall("execute_kw", ["mycompany", 7, "key<&>", "hr.attendance", "search_read", [[["check_out", "=", false], ["check_in", ">=", "2026-03-02 00:00:00"]]], { fields: ["check_in"], limit: 500, ratio: 0.25, context: { active_test: false } }]);
    const read = python(
      `
import xmlrpc.client, sys, json
params, method = xmlrpc.client.loads(sys.stdin.read())
print(json.dumps({"method": method, "params": params}))`,
      call,
    );
    expect(JSON.parse(read)).toEqual({
      method: "execute_kw",
      params: ["mycompany", 7, "key<&>", "hr.attendance", "search_read", [[["check_out", "=", false], ["check_in", ">=", "2026-03-02 00:00:00"]]], { fields: ["check_in"], limit: 500, ratio: 0.25, context: { active_test: false } }],
    });
  });

  test("round trip of any value, and the fault shape", () => {
    const value = fc.letrec<{ v: XmlRpcValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("v"), { maxKeys: 4 }),
      ),
    })).v;
    // XML cannot carry most control characters nor a lone CR: Odoo strips them too.
    const xmlSafe = (v: XmlRpcValue): boolean =>
      typeof v === "string" ? !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\r\ud800-\udfff\ufffe\uffff]/.test(v) : Array.isArray(v) ? v.every(xmlSafe) : typeof v === "object" && v !== null ? Object.entries(v).every(([k, x]) => xmlSafe(k) && xmlSafe(x)) : true;
    fc.assert(
      fc.property(value.filter(xmlSafe), (v) => {
        expect(decodeResponse(encodeResponse(v))).toEqual({ ok: true, value: v });
        expect(decodeCall(encodeCall("m", [v, 1]))).toEqual({ method: "m", args: [v, 1] });
      }),
      { numRuns: 300 },
    );
    expect(decodeResponse(encodeFault({ faultCode: 3, faultString: "Access Denied" }))).toEqual({ ok: false, fault: { faultCode: 3, faultString: "Access Denied" } });
  });

  test("a struct member named __proto__ stays a member and leaves the prototype alone", () => {
    const xml = "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>__proto__</name><value><string>x</string></value></member></struct></value></param></params></methodResponse>";
    const decoded = decodeResponse(xml);
    expect(decoded.ok).toBe(true);
    const value = decoded.ok ? (decoded.value as Record<string, unknown>) : {};
    expect([Object.keys(value), Object.getOwnPropertyDescriptor(value, "__proto__")?.value, Object.getPrototypeOf(value) === Object.prototype]).toEqual([["__proto__"], "x", true]);
  });

  test("an untyped value is a string; entities and character references are decoded", () => {
    expect(decodeResponse("<methodResponse><params><param><value> a &amp; b &#233;&#x4E2D;</value></param></params></methodResponse>")).toEqual({ ok: true, value: " a & b é中" });
    expect(decodeResponse("<methodResponse><params><param><value><i8>9007199254740991</i8></value></param></params></methodResponse>")).toEqual({ ok: true, value: 9007199254740991 });
    expect(decodeResponse("<methodResponse><params><param><value><nil/></value></param></params></methodResponse>")).toEqual({ ok: true, value: null });
  });

  test("anything else is an XmlRpcError, never another exception", () => {
    const bad = [
      "",
      "<html><body><h1>502 Bad Gateway</h1></body></html>",
      "<methodResponse><params><param><value><int>1</int></value></param></params>",
      "<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><boolean>2</boolean></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><date>1</date></value></param></params></methodResponse>",
      "<methodResponse><params></params></methodResponse>",
      "<methodResponse><fault><value><string>x</string></value></fault></methodResponse>",
      "<methodResponse><params><param><value>&bogus;</value></param></params></methodResponse>",
      `<methodResponse><params><param>${"<value><array><data>".repeat(200)}</data></array></value></param></params></methodResponse>`,
      "<methodResponse></methodResponse><x/>",
    ];
    for (const text of bad) expect(() => decodeResponse(text)).toThrow(XmlRpcError);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          decodeResponse(s);
        } catch (e) {
          expect(e).toBeInstanceOf(XmlRpcError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
