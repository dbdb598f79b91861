/**
 * Terminal time is site-local wall-clock text with no zone: "YYYY-MM-DD HH:MM:SS".
 * Firmware also sends single-digit fields ("2024-1-5 8:03:00"); we normalise to the
 * zero-padded form because that form is part of a record's identity.
 */
const TIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/;
const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

const DAY_MS = 86_400_000;

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function valid(w: WallClock): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return false;
  const daysInMonth = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.day <= daysInMonth;
}

export function formatWallClock(w: WallClock): string {
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** Returns the normalised "YYYY-MM-DD HH:MM:SS" form, or null when the text is not a real time. */
export function parseTerminalTime(text: string): string | null {
  const m = TIME_RE.exec(text.trim().replace(/\s+/g, " "));
  if (!m) return null;
  const w: WallClock = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
  };
  return valid(w) ? formatWallClock(w) : null;
}

/** Dates as `getalllog` and API filters take them ("2018-11-1" is valid); normalised to "YYYY-MM-DD". */
export function parseDate(text: string): string | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const w = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0 };
  return valid(w) ? formatWallClock(w).slice(0, 10) : null;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Converts between UTC instants and the site's wall clock. Intl formatting is slow next to
 * the ingest rate, so both directions are cached: the clock per second, offsets per local hour.
 */
export class SiteClock {
  readonly timeZone: string;
  #fmt: Intl.DateTimeFormat;
  #lastSecond = -1;
  #lastText = "";
  #offsets = new Map<string, number>();

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.#fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
  }

  #wall(ms: number): WallClock {
    const parts: Record<string, number> = {};
    for (const p of this.#fmt.formatToParts(new Date(ms))) {
      if (p.type !== "literal") parts[p.type] = Number(p.value);
    }
    return {
      year: parts.year ?? 0,
      month: parts.month ?? 0,
      day: parts.day ?? 0,
      hour: parts.hour ?? 0,
      minute: parts.minute ?? 0,
      second: parts.second ?? 0,
    };
  }

  /** Site-local "YYYY-MM-DD HH:MM:SS" for a UTC instant (the `cloudtime` terminals set their clock from). */
  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.#lastSecond) {
      this.#lastSecond = second;
      this.#lastText = formatWallClock(this.#wall(second * 1000));
    }
    return this.#lastText;
  }

  /** UTC milliseconds for a normalised site-local time (the earlier instant when DST repeats an hour). */
  toUtc(local: string): number {
    const naive = Date.UTC(
      Number(local.slice(0, 4)),
      Number(local.slice(5, 7)) - 1,
      Number(local.slice(8, 10)),
      Number(local.slice(11, 13)),
      Number(local.slice(14, 16)),
      Number(local.slice(17, 19)),
    );
    const key = local.slice(0, 13);
    let offset = this.#offsets.get(key);
    if (offset === undefined) {
      offset = this.#offsetFor(naive);
      if (this.#offsets.size > 10_000) this.#offsets.clear();
      this.#offsets.set(key, offset);
    }
    return naive - offset;
  }

  /**
   * The offset that maps this wall-clock time back to itself. Near a transition the offsets of
   * the day before and after are the candidates: a repeated hour fits both (the larger offset is
   * the earlier instant); a skipped hour fits neither, and reading it with the offset from before
   * the change moves it forward, as clocks do.
   */
  #offsetFor(naive: number): number {
    const before = this.#offsetAt(naive - DAY_MS);
    const after = this.#offsetAt(naive + DAY_MS);
    for (const offset of before >= after ? [before, after] : [after, before]) {
      if (this.#offsetAt(naive - offset) === offset) return offset;
    }
    return before;
  }

  #offsetAt(ms: number): number {
    const w = this.#wall(ms);
    const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    return asUtc - Math.floor(ms / 1000) * 1000;
  }
}

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
