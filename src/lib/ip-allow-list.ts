/**
 * An allow-list of client addresses: IPv4 and IPv6 addresses and CIDR blocks, written
 * comma-separated ("127.0.0.1,::1,10.0.0.0/8,fd00::/8"). An IPv4-mapped IPv6 address
 * ("::ffff:10.1.2.3"), as dual-stack sockets report IPv4 clients, is its IPv4 form: it matches
 * IPv4 entries, and a mapped entry stands for the IPv4 one.
 */
export type AllowList = (address: string) => boolean;

/** An address as a number of its family's width (32 or 128 bits). */
interface Ip {
  v: 4 | 6;
  n: bigint;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((n, o) => n * 256n + BigInt(o), 0n);
}

/** Eight 16-bit groups, "::" for a run of zeros, an IPv4 tail in the last 32 bits; a zone ("%eth0") ignored. */
function parseIpv6(text: string): bigint | null {
  const address = text.replace(/%[0-9A-Za-z._-]+$/, "");
  if (!/^[0-9A-Fa-f:.]+$/.test(address) || address.length > 45) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const parts = half.split(":");
    for (const [i, part] of parts.entries()) {
      if (part.includes(".")) {
        const v4 = i === parts.length - 1 ? parseIpv4(part) : null;
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  // An IPv4 tail may only close the address.
  if (halves.length === 2 && head.length > 0 && (halves[0] ?? "").includes(".")) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail].reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}

/** An address, IPv4-mapped IPv6 as IPv4; null when it is neither family. */
function parseIp(text: string): Ip | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { v: 4, n: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : null;
  if (v6 === null) return null;
  return v6 >> 32n === 0xffffn ? { v: 4, n: v6 & 0xffffffffn } : { v: 6, n: v6 };
}

const width = (v: 4 | 6) => (v === 4 ? 32 : 128);

interface Block {
  v: 4 | 6;
  /** Bits kept of an address for the comparison (the rest is the block's own range). */
  shift: bigint;
  prefix: bigint;
}

/** Throws an Error naming the entry that is neither an address nor a CIDR. */
export function parseAllowList(text: string): AllowList {
  const blocks: Block[] = [];
  for (const entry of text.split(",").map((e) => e.trim()).filter((e) => e !== "")) {
    const [addr = "", bitsText, extra] = entry.split("/");
    const ip = parseIp(addr);
    if (ip === null || extra !== undefined) throw new Error(`${entry}: not an IP address or CIDR (like 10.0.0.5, 192.168.1.0/24 or fd00::/8)`);
    // A mapped entry ("::ffff:10.0.0.0/104") counts its bits over the IPv6 width.
    const mappedBits = addr.includes(":") && ip.v === 4 ? 96 : 0;
    const max = width(ip.v) + mappedBits;
    const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
    if (!(bits >= mappedBits && bits <= max)) throw new Error(`${entry}: the prefix length must be ${mappedBits}–${max}`);
    const shift = BigInt(max - bits);
    blocks.push({ v: ip.v, shift, prefix: ip.n >> shift });
  }
  return (address) => {
    const ip = parseIp(address);
    return ip !== null && blocks.some((b) => b.v === ip.v && ip.n >> b.shift === b.prefix);
  };
}
