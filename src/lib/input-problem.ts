/**
 * The one translation of a refused input (a zod error) into words a person acts on: the field,
 * then what is wrong with it ("validTo: 2026-02-30 is not a date", "Bearer token: fill this in"),
 * never zod's own ("Too small: expected string to have >=1 characters"). The API names a field as
 * its body does; a form names it by its label (`fieldLabel`, or the form's own labels).
 */
import type { z } from "zod";

export interface InputProblem {
  /** The field as the schema names it ("validTo", "credentials.0.data"); "" for the input as a whole. */
  field: string;
  /** What is wrong, without the field ("2026-02-30 is not a date"). */
  problem: string;
}

/** zod's own English; a message a schema wrote itself is kept as it is. */
const ZOD_DEFAULT = /^(Invalid|Too small|Too big|Unrecognized key)/;

const KIND: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  date: "a date",
  bigint: "a whole number",
};

/** An input shown back, cut short (it may be anything). */
export function shown(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** What a refused date says: "2026-02-30 is not a date", with the form expected when it was not even that. */
export function notADate(value: string): string {
  return /^\d{4}-\d{1,2}-\d{1,2}$/.test(value.trim()) ? `${shown(value.trim())} is not a date` : `${shown(value)} is not a date (YYYY-MM-DD)`;
}

const pathOf = (path: readonly PropertyKey[]) => path.map(String).join(".");

function words(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      // zod leaves the input out of its issues; its own message says what it received.
      return /received undefined$/.test(issue.message) ? "is required" : `must be ${KIND[issue.expected] ?? issue.expected}`;
    case "too_small": {
      const n = Number(issue.minimum);
      if (issue.origin === "string") return n <= 1 ? "fill this in" : `use at least ${n} characters`;
      if (issue.origin === "array" || issue.origin === "set") return n <= 1 ? "give at least one" : `give at least ${n}`;
      return issue.inclusive === false ? `must be more than ${n}` : `must be at least ${n}`;
    }
    case "too_big": {
      const n = Number(issue.maximum);
      if (issue.origin === "string") return `use at most ${n} characters`;
      if (issue.origin === "array" || issue.origin === "set") return `give at most ${n}`;
      return issue.inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
    }
    case "invalid_format":
      if (issue.format === "email") return "is not an e-mail address";
      if (issue.format === "url") return "is not a web address";
      return "is not in the expected form";
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${shown(issue.values[0])}` : `choose one of ${issue.values.map((v) => shown(v)).join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "unrecognized_keys":
      return `unknown field ${issue.keys.map((k) => `"${shown(k)}"`).join(", ")}`;
    case "invalid_union": {
      const inner = issue.errors.flat()[0];
      return inner && !ZOD_DEFAULT.test(inner.message) ? inner.message : "is not valid here";
    }
    default:
      return "is not valid here";
  }
}

/** The first problem of a refused input; `at` names where the input sits in a larger one. */
export function inputProblem(error: z.ZodError, at?: string): InputProblem {
  const issue = error.issues[0];
  if (!issue) return { field: at ?? "", problem: "is not valid" };
  const field = pathOf([...(at ? [at] : []), ...issue.path]);
  return { field, problem: words(issue) };
}

/** A field's name as a form would label it: "validTo" → "Valid to", "bearer_token" → "Bearer token", "credentials.0.data" → "Data". */
export function fieldLabel(field: string): string {
  const last = field.split(".").filter((s) => s !== "" && !/^\d+$/.test(s)).at(-1) ?? field;
  const spaced = last
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A form's labels by field (the whole path, then without list positions, else its first part), the rest named by `fieldLabel`. */
export function labelled(labels: Readonly<Record<string, string>>): (field: string) => string {
  return (field) => labels[field] ?? labels[field.replace(/\.\d+(?=\.|$)/g, "")] ?? labels[field.split(".")[0] ?? ""] ?? fieldLabel(field);
}

/** "field: problem", the field named by `label` (the API's own name when none is given). */
export function describeInput(error: z.ZodError, label: (field: string) => string = (f) => f): string {
  const { field, problem } = inputProblem(error);
  return field === "" ? problem : `${label(field)}: ${problem}`;
}
