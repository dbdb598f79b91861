/**
 * An allow-list of client addresses: exact IPv4/IPv6 addresses and IPv4 CIDR blocks, written
 * comma-separated ("127.0.0.1,::1,10.0.0.0/8"). IPv4-mapped IPv6 ("::ffff:10.1.2.3") matches
 * its IPv4 form, as dual-stack sockets report it that way.
 */
export type AllowList = (address: string) => boolean;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4ToInt(address: string): number | null {
  const m = IPV4.exec(address);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

const unmap = (address: string) => address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");

/** Throws an Error naming the entry that is neither an address nor an IPv4 CIDR. */
export function parseAllowList(text: string): AllowList {
  const exact = new Set<string>();
  const blocks: Array<{ base: number; mask: number }> = [];
  for (const entry of text.split(",").map((e) => e.trim()).filter((e) => e !== "")) {
    const [addr = "", bitsText] = entry.split("/");
    if (bitsText !== undefined) {
      const base = ipv4ToInt(addr);
      const bits = Number(bitsText);
      if (base === null || !/^\d{1,2}$/.test(bitsText) || bits > 32) throw new Error(`${entry}: expected an IPv4 CIDR like 10.0.0.0/8`);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      blocks.push({ base: (base & mask) >>> 0, mask });
    } else if (ipv4ToInt(addr) !== null || (addr.includes(":") && /^[0-9a-fA-F:.]+$/.test(addr))) {
      exact.add(unmap(addr));
    } else {
      throw new Error(`${entry}: not an IP address`);
    }
  }
  return (address) => {
    const a = unmap(address);
    if (exact.has(a)) return true;
    const n = ipv4ToInt(a);
    return n !== null && blocks.some((b) => ((n & b.mask) >>> 0) === b.base);
  };
}
