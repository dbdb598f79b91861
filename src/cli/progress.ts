/**
 * Progress of a long CLI command (issue 17): "1.2 GB of 1.4 GB · 85 MB/s · 3 s left", redrawn in
 * place on stderr when stderr is a terminal, and nothing at all in a pipe — so scripts that read a
 * command's stdout (its summary line) see exactly what they saw before.
 */
import { nounFor } from "../lib/plural.ts";

export type ProgressUnit = "bytes" | "rows";

export interface ProgressSnapshot {
  unit: ProgressUnit;
  done: number;
  /** null when the total is not known in advance (then no "left"). */
  total: number | null;
  elapsedMs: number;
}

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB"] as const;

function bytes(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1000 && i < BYTE_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  // One decimal below 10 of a unit (1.2 GB), none above (85 MB): as precise as the eye needs.
  return i === 0 ? `${n} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${BYTE_UNITS[i]}`;
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** One progress line; pure, so every shape is tested by table. */
export function formatProgress(p: ProgressSnapshot): string {
  const amount = p.unit === "bytes" ? bytes : count;
  // Rows take the noun of the number they follow: "1 row", "1 of 1 row", "2 of 3 rows".
  const suffix = p.unit === "rows" ? ` ${nounFor(p.total ?? p.done, "row")}` : "";
  const parts = [p.total === null ? `${amount(p.done)}${suffix}` : `${amount(p.done)} of ${amount(p.total)}${suffix}`];
  const seconds = p.elapsedMs / 1000;
  // Under a fifth of a second the rate is noise; show it once there is something to measure.
  if (seconds >= 0.2 && p.done > 0) {
    const rate = p.done / seconds;
    parts.push(p.unit === "bytes" ? `${bytes(Math.round(rate))}/s` : `${count(rate)} ${nounFor(Math.round(rate), "row")}/s`);
    if (p.total !== null && p.total >= p.done) parts.push(`${duration((p.total - p.done) / rate)} left`);
  }
  return parts.join(" · ");
}

export interface ProgressOut {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Draws progress on `out` (stderr) at most every `intervalMs`, each update over the last one
 * (carriage return, clear to end of line); finish() draws the final state and ends the line.
 * Silent when `out` is not a terminal.
 */
export class ProgressReporter {
  readonly #unit: ProgressUnit;
  readonly #out: ProgressOut;
  readonly #now: () => number;
  readonly #intervalMs: number;
  readonly #started: number;
  #lastDraw = -Infinity;
  #drawn = false;
  #done = 0;
  #total: number | null = null;

  constructor(unit: ProgressUnit, o: { out?: ProgressOut; now?: () => number; intervalMs?: number } = {}) {
    this.#unit = unit;
    this.#out = o.out ?? process.stderr;
    this.#now = o.now ?? (() => performance.now());
    this.#intervalMs = o.intervalMs ?? 250;
    this.#started = this.#now();
  }

  get active(): boolean {
    return this.#out.isTTY === true;
  }

  update(done: number, total: number | null = this.#total): void {
    this.#done = done;
    this.#total = total;
    if (!this.active) return;
    const t = this.#now();
    if (t - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = t;
    this.#draw(t);
  }

  /** Draws the final state and ends the line, so the summary that follows starts on its own. */
  finish(): void {
    // Nothing drawn (failed before it began, or nothing to do): no empty progress line either.
    if (!this.active || !this.#drawn) return;
    this.#draw(this.#now());
    this.#out.write("\n");
  }

  #draw(t: number) {
    this.#drawn = true;
    this.#out.write(`\r${formatProgress({ unit: this.#unit, done: this.#done, total: this.#total, elapsedMs: t - this.#started })}\x1b[K`);
  }
}
