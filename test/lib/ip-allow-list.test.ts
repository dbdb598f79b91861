import { describe, expect, test } from "bun:test";
import { parseAllowList } from "../../src/lib/ip-allow-list.ts";

describe("ip allow-list", () => {
  const LIST = " 127.0.0.1, ::1 ,10.20.0.0/16,192.168.1.7/32, 2001:db8:aa::/48, fe80::/10, ::ffff:172.16.0.0/108";

  // Each address against LIST.
  test.each([
    ["127.0.0.1", true],
    ["::1", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["::FFFF:7f00:1", true],
    ["10.20.255.1", true],
    ["::ffff:10.20.0.9", true],
    ["192.168.1.7", true],
    ["2001:db8:aa:ffff::5", true],
    ["2001:DB8:AA::", true],
    ["fe80::1%eth0", true],
    ["febf:ffff::1", true],
    // A mapped entry stands for its IPv4 block (172.16.0.0/12).
    ["172.31.255.255", true],
    ["::ffff:172.16.4.4", true],
    ["127.0.0.2", false],
    ["10.21.0.1", false],
    ["::ffff:10.21.0.1", false],
    ["192.168.1.8", false],
    ["::2", false],
    ["2001:db8:ab::1", false],
    ["fec0::1", false],
    ["172.32.0.1", false],
    // IPv4 ranges never match IPv6 addresses that merely end in the same bits, and the other way round.
    ["::10.20.0.9", false],
    ["64:ff9b::10.20.0.9", false],
    ["unknown", false],
    ["", false],
    ["1:::2", false],
  ] as const)("%s → %p", (address, allowed) => {
    expect(parseAllowList(LIST)(address)).toBe(allowed);
  });

  test("empty allows nobody; 0.0.0.0/0 allows every IPv4 address (mapped ones too), ::/0 every IPv6 one", () => {
    expect(parseAllowList("")("127.0.0.1")).toBe(false);
    expect(["203.0.113.9", "::ffff:203.0.113.9", "2001:db8::1"].map(parseAllowList("0.0.0.0/0"))).toEqual([true, true, false]);
    expect(["203.0.113.9", "2001:db8::1", "::1"].map(parseAllowList("::/0"))).toEqual([false, true, true]);
  });

  test.each([
    ["localhost", "localhost: not an IP address or CIDR"],
    ["300.1.1.1", "300.1.1.1: not an IP address or CIDR"],
    ["10.0.0.0/33", "10.0.0.0/33: the prefix length must be 0–32"],
    ["10.0.0.0/", "10.0.0.0/: the prefix length must be 0–32"],
    ["10.0.0.0/8/8", "not an IP address or CIDR"],
    ["fd00::/129", "fd00::/129: the prefix length must be 0–128"],
    ["::ffff:10.0.0.0/95", "the prefix length must be 96–128"],
    ["1:2:3:4:5:6:7:8:9", "not an IP address or CIDR"],
    ["1.2.3.4::", "not an IP address or CIDR"],
    ["12345::", "not an IP address or CIDR"],
  ])("refuses %s", (entry, message) => {
    expect(() => parseAllowList(entry)).toThrow(message);
  });
});
