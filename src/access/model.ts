/**
 * The access-control model (issue 16): weekly schedules, levels (doors × a schedule), people with
 * levels and validity, holidays, visitor passes. One zod schema reads it from whatever holds it
 * (store rows, an API body) and checks what the compiler and the decision rely on: windows that
 * a terminal can hold, references that resolve, issued QR codes that are unique.
 */
import { describeInput } from "../lib/input-problem.ts";
import { z } from "zod";
import { ENROLLID_MAX, parseDate, SECTIONS_PER_DAY, serialNumber, timeText } from "../protocol/index.ts";
import { mergeWindows, parseWindow, type Window } from "./windows.ts";

/** As many windows a day as a terminal's day zone holds (PROTOCOL.md §7.1). */
export const MAX_WINDOWS_PER_DAY = SECTIONS_PER_DAY;

const id = z.number().int().min(1).max(2_147_483_647);
const name = z.string().trim().min(1).max(64);
const date = z.string().transform((s, ctx) => {
  const d = parseDate(s);
  if (d === null) {
    ctx.addIssue({ code: "custom", message: `not a date (YYYY-MM-DD): "${s}"` });
    return z.NEVER;
  }
  return d;
});

const windowText = z.string().transform((s, ctx) => {
  const w = parseWindow(s);
  if (w === null) {
    ctx.addIssue({ code: "custom", message: `not a window "HH:MM-HH:MM" with start before end: "${s}"` });
    return z.NEVER;
  }
  return w;
});

/** A day's windows, merged where they overlap; more than a day zone holds is refused. */
const dayWindows = z
  .array(windowText)
  .max(64)
  .transform((ws, ctx) => {
    const merged = mergeWindows(ws);
    if (merged.length > MAX_WINDOWS_PER_DAY) {
      ctx.addIssue({ code: "custom", message: `${merged.length} windows in a day; a terminal holds at most ${MAX_WINDOWS_PER_DAY}` });
      return z.NEVER;
    }
    return merged;
  });

const WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"] as const;

export const scheduleSchema = z.strictObject({
  id,
  name,
  /** "1" = Monday … "7" = Sunday; a day left out has no window. */
  days: z
    .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, dayWindows.optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<typeof dayWindows>>)
    .transform((days) => WEEKDAYS.map((d) => days[d] ?? [])),
  holidaysClosed: z.boolean().default(false),
});

/** A terminal group's members, and the levels' terminals: serial numbers. */
const sns = z.array(serialNumber).max(10_000);

export const levelSchema = z.strictObject({
  id,
  name,
  scheduleId: id,
  terminals: sns.default([]),
  groupIds: z.array(id).max(1_000).default([]),
});

export const terminalGroupSchema = z.strictObject({ id, members: sns });

/**
 * A code the server issued (a person's QR credential, a pass): long enough that no enrollid,
 * badge or printed number is one. Compared exactly: no trimming, no case folding.
 */
export const issuedCode = z.string().regex(/^[\x21-\x7e]{16,128}$/, "an issued code is 16 to 128 printable ASCII characters without spaces");

export const personSchema = z.strictObject({
  enrollid: z.number().int().min(1).max(ENROLLID_MAX),
  name: z.string().max(64).default(""),
  enabled: z.boolean(),
  /** Inclusive dates, site-local; null = open-ended. */
  validFrom: date.nullable().default(null),
  validTo: date.nullable().default(null),
  levelIds: z.array(id).max(1_000).default([]),
  /** `setuserlock`'s `group` (PROTOCOL.md §7.2): 0 none, 1–9 for multi-person opening. */
  lockGroup: z.number().int().min(0).max(9).default(0),
  qrCode: issuedCode.nullable().default(null),
});

export const holidaySchema = z.strictObject({
  /** A terminal's holiday name holds 32 characters. */
  name: z.string().trim().min(1).max(32),
  from: date,
  to: date,
});

export const passSchema = z.strictObject({
  id,
  name,
  code: issuedCode,
  /** Site-local "YYYY-MM-DD HH:MM:SS", both inclusive. */
  validFrom: timeText,
  validTo: timeText,
  levelIds: z.array(id).max(1_000).default([]),
  terminals: sns.default([]),
  /** null = any number of uses. */
  uses: z.number().int().min(1).max(1_000_000).nullable().default(1),
  revoked: z.boolean().default(false),
});

const modelFields = z.strictObject({
  schedules: z.array(scheduleSchema).max(1_000).default([]),
  levels: z.array(levelSchema).max(1_000).default([]),
  terminalGroups: z.array(terminalGroupSchema).max(1_000).default([]),
  people: z.array(personSchema).max(200_000).default([]),
  holidays: z.array(holidaySchema).max(1_000).default([]),
  passes: z.array(passSchema).max(200_000).default([]),
});

export const accessModelSchema = modelFields.superRefine((m, ctx) => {
  const problem = modelProblem(m);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export type Schedule = z.output<typeof scheduleSchema>;
export type Level = z.output<typeof levelSchema>;
export type TerminalGroup = z.output<typeof terminalGroupSchema>;
export type Person = z.output<typeof personSchema>;
export type Holiday = z.output<typeof holidaySchema>;
export type Pass = z.output<typeof passSchema>;
export type AccessModel = z.output<typeof modelFields>;
export type AccessModelInput = z.input<typeof accessModelSchema>;
export type { Window };

function duplicate<T>(values: readonly T[]): T | undefined {
  const seen = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

/** The first reference that does not resolve or identity that repeats, in words; null if none. */
function modelProblem(m: AccessModel): string | null {
  for (const [what, ids] of [
    ["schedule", m.schedules.map((s) => s.id)],
    ["level", m.levels.map((l) => l.id)],
    ["terminal group", m.terminalGroups.map((g) => g.id)],
    ["person", m.people.map((p) => p.enrollid)],
    ["pass", m.passes.map((p) => p.id)],
  ] as const) {
    const d = duplicate(ids);
    if (d !== undefined) return `${what} ${d} appears twice`;
  }
  const schedules = new Set(m.schedules.map((s) => s.id));
  const levels = new Set(m.levels.map((l) => l.id));
  const groups = new Set(m.terminalGroups.map((g) => g.id));
  for (const l of m.levels) {
    if (!schedules.has(l.scheduleId)) return `level ${l.id} uses schedule ${l.scheduleId}, which does not exist`;
    const g = l.groupIds.find((x) => !groups.has(x));
    if (g !== undefined) return `level ${l.id} names terminal group ${g}, which does not exist`;
  }
  for (const p of m.people) {
    const l = p.levelIds.find((x) => !levels.has(x));
    if (l !== undefined) return `person ${p.enrollid} has level ${l}, which does not exist`;
    if (p.validFrom !== null && p.validTo !== null && p.validFrom > p.validTo) return `person ${p.enrollid} is valid from ${p.validFrom}, after ${p.validTo}`;
  }
  for (const h of m.holidays) if (h.from > h.to) return `holiday "${h.name}" starts ${h.from}, after its end ${h.to}`;
  for (const p of m.passes) {
    const l = p.levelIds.find((x) => !levels.has(x));
    if (l !== undefined) return `pass ${p.id} has level ${l}, which does not exist`;
    if (p.validFrom > p.validTo) return `pass ${p.id} is valid from ${p.validFrom}, after ${p.validTo}`;
    if (p.levelIds.length === 0 && p.terminals.length === 0) return `pass ${p.id} opens no door: give it levels or terminals`;
  }
  const code = duplicate([...m.people.flatMap((p) => (p.qrCode === null ? [] : [p.qrCode])), ...m.passes.map((p) => p.code)]);
  if (code !== undefined) return "an issued QR code is given to two people or passes";
  return null;
}

export type ModelResult = { ok: true; model: AccessModel } | { ok: false; error: string };

/** Reads a model; the error names the first bad field or reference. */
export function parseAccessModel(input: unknown): ModelResult {
  const parsed = accessModelSchema.safeParse(input);
  if (parsed.success) return { ok: true, model: parsed.data };
  return { ok: false, error: describeInput(parsed.error) };
}
