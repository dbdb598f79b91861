/**
 * A site time zone in which it is about noon as the run starts: a fixed whole-hour offset from
 * UTC (no DST), so a test against the real binary, which runs on the wall clock, stays on one site
 * date however late in the UTC day CI starts it (in UTC a run near midnight sees "today" move).
 */
export interface MiddayZone {
  /** The IANA name to pass as `--tz`: "UTC" or "Etc/GMT∓N" (the Etc names' sign is inverted). */
  name: string;
  /** The zone's offset from UTC in hours, -11 to +12. */
  offsetHours: number;
  /** "YYYY-MM-DD HH:MM:SS" in this zone of an instant. */
  format(ms: number): string;
}

export function middayZone(now = Date.now()): MiddayZone {
  const offsetHours = 12 - new Date(now).getUTCHours();
  const name = offsetHours === 0 ? "UTC" : `Etc/GMT${offsetHours > 0 ? "-" : "+"}${Math.abs(offsetHours)}`;
  return { name, offsetHours, format: (ms) => new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 19).replace("T", " ") };
}
