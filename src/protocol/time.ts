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

const digit = (text: string, i: number) => text.charCodeAt(i) - 48;
const two = (text: string, i: number) => digit(text, i) * 10 + digit(text, i + 1);
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The ingest hot path: text already in the normalised form and a real time is its own answer,
 * checked without a regular expression or a Date. Null sends anything else to the full parse, and
 * years before 1000 too (the full parse writes them unpadded, and Date.UTC reads 0-99 as 19xx).
 */
function alreadyNormal(text: string): string | null {
  if (text.length !== 19 || text[4] !== "-" || text[7] !== "-" || text[10] !== " " || text[13] !== ":" || text[16] !== ":") return null;
  for (const i of DIGIT_AT) {
    const d = digit(text, i);
    if (d < 0 || d > 9) return null;
  }
  const year = two(text, 0) * 100 + two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || two(text, 11) > 23 || two(text, 14) > 59 || two(text, 17) > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS[month - 1] as number);
  return day <= days ? text : null;
}

/** Returns the normalised "YYYY-MM-DD HH:MM:SS" form, or null when the text is not a real time. */
export function parseTerminalTime(text: string): string | null {
  const normal = alreadyNormal(text);
  if (normal !== null) return normal;
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
  /** Per local hour ("YYYY-MM-DD HH"): its naive UTC reading and the offset to the real instant. */
  #hours = new Map<string, { naive: number; offset: number }>();

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
    const key = local.slice(0, 13);
    const withinHour = two(local, 14) * 60_000 + two(local, 17) * 1000;
    let hour = this.#hours.get(key);
    if (hour === undefined) {
      const naiveHour = Date.UTC(Number(local.slice(0, 4)), Number(local.slice(5, 7)) - 1, Number(local.slice(8, 10)), Number(local.slice(11, 13)));
      hour = { naive: naiveHour, offset: this.#offsetFor(naiveHour + withinHour) };
      if (this.#hours.size > 10_000) this.#hours.clear();
      this.#hours.set(key, hour);
    }
    return hour.naive + withinHour - hour.offset;
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
