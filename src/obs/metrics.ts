/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4). Our own because what we need is ~150 lines, and the hot path
 * (a counter bump per frame) must stay an add on a bound cell, with no label lookup.
 */

type LabelValues = Readonly<Record<string, string>>;

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function labelText(labels: LabelValues, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/**
 * The series of one metric family, one per distinct label set. An unlabelled family has its one
 * series always (it renders 0 before the first event); a labelled one only those used.
 */
abstract class Family<Cell> {
  readonly name: string;
  readonly #help: string;
  readonly #type: string;
  readonly #labelNames: readonly string[];
  readonly #series = new Map<string, { labels: LabelValues; cell: Cell }>();
  #unlabelled: Cell | undefined;

  constructor(name: string, help: string, type: string, labelNames: readonly string[]) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    this.name = name;
    this.#help = help;
    this.#type = type;
    this.#labelNames = labelNames;
  }

  protected abstract newCell(): Cell;
  protected abstract renderCell(labels: LabelValues, cell: Cell): string;

  /** No labels (the common, per-frame case) skips building the series key. */
  protected cell(labels?: LabelValues): Cell {
    if (labels === undefined) return (this.#unlabelled ??= this.cell({}));
    const key = labelText(labels);
    let entry = this.#series.get(key);
    if (!entry) {
      for (const k of Object.keys(labels)) {
        if (!this.#labelNames.includes(k)) throw new Error(`${this.name}: unknown label ${k}`);
      }
      entry = { labels, cell: this.newCell() };
      this.#series.set(key, entry);
    }
    return entry.cell;
  }

  render(): string {
    if (this.#labelNames.length === 0) this.cell();
    let out = `# HELP ${this.name} ${escapeHelp(this.#help)}\n# TYPE ${this.name} ${this.#type}\n`;
    for (const { labels, cell } of this.#series.values()) out += this.renderCell(labels, cell);
    return out;
  }
}

export class Counter extends Family<{ n: number }> {
  protected newCell() {
    return { n: 0 };
  }

  inc(by = 1, labels?: LabelValues) {
    this.cell(labels).n += by;
  }

  /** A bound series for hot paths: no label lookup per increment. */
  with(labels: LabelValues): { inc(by?: number): void } {
    const cell = this.cell(labels);
    return { inc: (by = 1) => void (cell.n += by) };
  }

  value(labels?: LabelValues): number {
    return this.cell(labels).n;
  }

  protected renderCell(labels: LabelValues, cell: { n: number }) {
    return `${this.name}${labelText(labels)} ${formatValue(cell.n)}\n`;
  }
}

export class Gauge extends Family<{ v: number }> {
  readonly #collect: (() => number) | undefined;

  /** With `collect`, the (unlabelled) value is read at scrape time: queue depth, memory, … */
  constructor(name: string, help: string, labelNames: readonly string[], collect?: () => number) {
    super(name, help, "gauge", labelNames);
    this.#collect = collect;
  }

  protected newCell() {
    return { v: 0 };
  }

  set(v: number, labels?: LabelValues) {
    this.cell(labels).v = v;
  }

  inc(by = 1, labels?: LabelValues) {
    this.cell(labels).v += by;
  }

  value(labels?: LabelValues): number {
    return this.#collect ? this.#collect() : this.cell(labels).v;
  }

  protected renderCell(labels: LabelValues, cell: { v: number }) {
    return `${this.name}${labelText(labels)} ${formatValue(this.#collect ? this.#collect() : cell.v)}\n`;
  }
}

interface HistogramCell {
  /** Per bucket (made cumulative when rendered: one increment per sample). */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Family<HistogramCell> {
  readonly #buckets: number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, "histogram", labelNames);
    this.#buckets = [...buckets].sort((a, b) => a - b);
  }

  protected newCell(): HistogramCell {
    return { counts: this.#buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(v: number, labels?: LabelValues) {
    const cell = this.cell(labels);
    cell.sum += v;
    cell.count++;
    const i = this.#buckets.findIndex((le) => v <= le);
    if (i !== -1) cell.counts[i] = (cell.counts[i] ?? 0) + 1;
  }

  count(labels?: LabelValues): number {
    return this.cell(labels).count;
  }

  protected renderCell(labels: LabelValues, cell: HistogramCell) {
    let out = "";
    let cumulative = 0;
    this.#buckets.forEach((le, i) => {
      cumulative += cell.counts[i] ?? 0;
      out += `${this.name}_bucket${labelText(labels, ["le", formatValue(le)])} ${cumulative}\n`;
    });
    out += `${this.name}_bucket${labelText(labels, ["le", "+Inf"])} ${cell.count}\n`;
    out += `${this.name}_sum${labelText(labels)} ${formatValue(cell.sum)}\n`;
    out += `${this.name}_count${labelText(labels)} ${cell.count}\n`;
    return out;
  }
}

export class MetricsRegistry {
  #families = new Map<string, { name: string; render(): string }>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, "counter", labelNames));
  }

  gauge(name: string, help: string, options: { labelNames?: readonly string[]; collect?: () => number } = {}): Gauge {
    return this.#add(new Gauge(name, help, options.labelNames ?? [], options.collect));
  }

  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  #add<F extends { name: string; render(): string }>(family: F): F {
    if (this.#families.has(family.name)) throw new Error(`metric ${family.name} registered twice`);
    this.#families.set(family.name, family);
    return family;
  }

  /** The whole registry in the text exposition format. */
  render(): string {
    let out = "";
    for (const family of this.#families.values()) out += family.render();
    return out;
  }
}
