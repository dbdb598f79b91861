import { describe, expect, test } from "bun:test";
import { parseAllowList } from "../../src/lib/ip-allow-list.ts";

describe("ip allow-list", () => {
  test("exact addresses, IPv4 CIDRs and IPv4-mapped IPv6", () => {
    const allow = parseAllowList(" 127.0.0.1, ::1 ,10.20.0.0/16,192.168.1.7/32");
    expect(["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.20.255.1", "192.168.1.7"].map(allow)).toEqual([true, true, true, true, true]);
    expect(["127.0.0.2", "10.21.0.1", "192.168.1.8", "::2", "unknown"].map(allow)).toEqual([false, false, false, false, false]);
  });

  test("empty allows nobody; 0.0.0.0/0 allows every IPv4 address", () => {
    expect(parseAllowList("")("127.0.0.1")).toBe(false);
    expect(parseAllowList("0.0.0.0/0")("203.0.113.9")).toBe(true);
  });

  test("rejects what is not an address", () => {
    expect(() => parseAllowList("localhost")).toThrow("localhost: not an IP address");
    expect(() => parseAllowList("10.0.0.0/33")).toThrow("IPv4 CIDR");
    expect(() => parseAllowList("300.1.1.1")).toThrow("not an IP address");
  });
});
