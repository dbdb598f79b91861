/**
 * Where a terminal should connect: this server's real terminal port (the `--terminal-port` one
 * when set, else the main port; wss when the main port is TLS) on each of the machine's LAN
 * addresses, for the first-run hint on the Terminals page. Terminals speak IPv4, so only IPv4
 * addresses are listed: those outside the machine first, loopback (a simulator here) last.
 */
import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

export interface TerminalEndpoint {
  port: number;
  tls: boolean;
  /** The `--host` the server listens on: a wildcard means every address of the machine. */
  host: string;
}

/** A machine with many interfaces (containers, VPNs) still gets a short hint. */
const MAX_URLS = 6;
const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

export function terminalUrls(endpoint: TerminalEndpoint, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const scheme = endpoint.tls ? "wss" : "ws";
  const ipv4 = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === "IPv4");
  const addresses = WILDCARDS.has(endpoint.host)
    ? [...ipv4.filter((i) => !i.internal), ...ipv4.filter((i) => i.internal)].map((i) => i.address)
    : [endpoint.host];
  return [...new Set(addresses)].slice(0, MAX_URLS).map((a) => `${scheme}://${a.includes(":") ? `[${a}]` : a}:${endpoint.port}/`);
}
