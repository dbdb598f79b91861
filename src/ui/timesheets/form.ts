/**
 * Form text → the typed input the timesheet use cases take. Each reader takes the field's label,
 * so a refused form says which field ("Late grace (minutes): a whole number from 0 to 1440"); the
 * use case validates again and has the last word.
 */
import { notADate } from "../../lib/input-problem.ts";
import { parseDate } from "../../protocol/index.ts";

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export class FormReader {
  readonly #form: Record<string, string>;
  /** The first problem, labelled; null while the form reads well. */
  problem: string | null = null;

  constructor(form: Record<string, string>) {
    this.#form = form;
  }

  /** Records a problem of the form as a whole or of a pair of fields. */
  fail(label: string, message: string): undefined {
    this.problem ??= `${label}: ${message}`;
    return undefined;
  }

  #value(name: string): string {
    return (this.#form[name] ?? "").trim();
  }

  /** Text; blank is undefined (or a problem when required). */
  text(name: string, label: string, required = false): string | undefined {
    const v = this.#value(name);
    if (v === "") return required ? this.fail(label, "fill this in") : undefined;
    if (v.length > 500) return this.fail(label, "use at most 500 characters");
    return v;
  }

  /** A whole number in [min, max]; blank is undefined (or a problem when required). */
  int(name: string, label: string, min: number, max: number, required = false): number | undefined {
    const v = this.#value(name);
    if (v === "") return required ? this.fail(label, "fill this in") : undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || n < min || n > max) return this.fail(label, `a whole number from ${min} to ${max}`);
    return n;
  }

  /** "HH:MM". */
  time(name: string, label: string, required = false): string | undefined {
    const v = this.#value(name);
    if (v === "") return required ? this.fail(label, "fill this in") : undefined;
    // Browsers may send seconds ("09:00:00").
    const hhmm = v.slice(0, 5);
    return TIME.test(hhmm) && (v.length === 5 || /^:\d\d$/.test(v.slice(5))) ? hhmm : this.fail(label, "a time of day HH:MM");
  }

  /** "YYYY-MM-DD". */
  date(name: string, label: string, required = false): string | undefined {
    const v = this.#value(name);
    if (v === "") return required ? this.fail(label, "fill this in") : undefined;
    return parseDate(v) ?? this.fail(label, notADate(v));
  }

  /** "YYYY-MM-DD HH:MM[:SS]" from a date and a time field. */
  dateTime(dateName: string, timeName: string, label: string): string | undefined {
    const date = this.date(dateName, label, true);
    const v = this.#value(timeName);
    if (!/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(v)) return this.fail(label, "a time HH:MM");
    return date === undefined ? undefined : `${date} ${v.length === 5 ? `${v}:00` : v}`;
  }

  checked(name: string): boolean {
    return this.#form[name] === "on";
  }

  /** One of the allowed values. */
  choice<T extends string>(name: string, label: string, allowed: readonly T[]): T | undefined {
    const v = this.#value(name);
    return (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(label, `choose one of ${allowed.join(", ")}`);
  }

  /** Every value of a repeated field (checkboxes), as whole numbers in [min, max]. */
  ints(values: string[], label: string, min: number, max: number): number[] {
    const out: number[] = [];
    for (const v of values) {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < min || n > max) return this.fail(label, `whole numbers from ${min} to ${max}`) ?? [];
      out.push(n);
    }
    return out;
  }
}

/** Drops undefined fields, so a use case's "absent" is what a blank field means. */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
