/**
 * One schema per terminal message (PROTOCOL.md §3). Frames are normalised (trimmed) before
 * they reach these schemas; numeric fields also accept numeric strings (`"admin":"0"`).
 */
import { z } from "zod";
import { describeInput } from "../lib/input-problem.ts";
import { parseTerminalTime } from "./time.ts";

/** An integer that may arrive as a string. */
export const int = z.union([
  z.number().int(),
  z.string().regex(/^-?\d{1,15}$/).transform(Number),
]);
const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

/**
 * An sn names a terminal in URLs (`/terminals/{sn}`, the API): `.` and `..` are path steps that
 * HTTP servers and proxies remove before routing, and `/ \ % ? #` are taken apart or decoded on
 * the way, so a terminal named with them could not be addressed (blocked, approved) over HTTP.
 */
export const serialNumber = z
  .string()
  .min(1, "sn is empty")
  .max(64, "sn is longer than 64 characters")
  .regex(/^[\x21-\x7e]+$/, "sn has characters outside printable ASCII")
  .refine((sn) => sn !== "." && sn !== "..", "sn may not be . or ..")
  .refine((sn) => !/[/\\%?#]/.test(sn), "sn may not contain / \\ % ? or #");

/** A terminal time, normalised to "YYYY-MM-DD HH:MM:SS". */
export const timeText = z.string().transform((s, ctx) => {
  const t = parseTerminalTime(s);
  if (t === null) {
    ctx.addIssue({ code: "custom", message: `not a valid time: "${s}"` });
    return z.NEVER;
  }
  return t;
});

const devinfoCounts = {
  usersize: int, fpsize: int, cardsize: int, pwdsize: int, logsize: int,
  useduser: int, usedfp: int, usedcard: int, usedpwd: int, usedlog: int, usednewlog: int,
  facesize: int, usedface: int, palmsize: int, usedpalm: int,
} as const;

/** A devinfo text value kept at most (characters); longer ones are cut. */
export const DEVINFO_TEXT_CHARS = 128;
/** Fields outside PROTOCOL.md §3 kept at most, as JSON bytes all together: devinfo rides on every `reg`, also from units nobody approved. */
export const DEVINFO_EXTRA_BYTES = 2048;
/** Where a devinfo says how many of its unknown fields were dropped. */
export const DEVINFO_DROPPED_KEY = "tm20DroppedFields";

const devinfoText = z.string().transform((s) => s.slice(0, DEVINFO_TEXT_CHARS));
const knownDevinfo = {
  ...Object.fromEntries(Object.entries(devinfoCounts).map(([k, s]) => [k, s.optional().catch(undefined)])),
  modelname: devinfoText.optional().catch(undefined),
  fpalgo: devinfoText.optional().catch(undefined),
  firmware: devinfoText.optional().catch(undefined),
  mac: devinfoText.optional().catch(undefined),
  time: devinfoText.optional().catch(undefined),
  manufacturer: devinfoText.optional().catch(undefined),
  curip: devinfoText.optional().catch(undefined),
};

/** Known fields read leniently (a bad one is dropped, not fatal); unknown ones kept within {@link DEVINFO_EXTRA_BYTES}, the rest dropped and counted. */
function boundDevinfo(raw: Record<string, unknown>): DevInfo {
  // No prototype: a "__proto__" field is then kept (or dropped) like any other.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(z.object(knownDevinfo).parse(raw))) if (v !== undefined) out[k] = v;
  let budget = DEVINFO_EXTRA_BYTES;
  let dropped = 0;
  for (const [k, v] of Object.entries(raw)) {
    if (Object.hasOwn(knownDevinfo, k) || k === DEVINFO_DROPPED_KEY) continue;
    const value = typeof v === "string" ? v.slice(0, DEVINFO_TEXT_CHARS) : v;
    const size = k.length > DEVINFO_TEXT_CHARS ? Infinity : JSON.stringify({ [k]: value }).length;
    if (size > budget || size > DEVINFO_TEXT_CHARS * 2) {
      dropped++;
      continue;
    }
    out[k] = value;
    budget -= size;
  }
  if (dropped > 0) out[DEVINFO_DROPPED_KEY] = dropped;
  return out as DevInfo;
}

export const devinfo = z.record(z.string(), z.unknown()).transform(boundDevinfo);

export type DevInfo = { [K in keyof typeof devinfoCounts]?: number } & {
  modelname?: string;
  fpalgo?: string;
  firmware?: string;
  mac?: string;
  time?: string;
  manufacturer?: string;
  curip?: string;
} & Record<string, unknown>;

export const regMessage = z.object({
  cmd: z.literal("reg"),
  sn: serialNumber,
  /** Cut like a devinfo text: it is stored on every `reg`, also from units nobody approved. */
  cpusn: devinfoText.optional(),
  devinfo: devinfo.optional().catch(undefined),
});
export type RegMessage = z.infer<typeof regMessage>;

/** The envelope of a log upload; records are validated one by one so a bad one only costs itself. */
export const sendlogMessage = z.object({
  cmd: z.literal("sendlog"),
  sn: z.string().optional(),
  count: z.unknown().optional(),
  logindex: z.unknown().optional(),
  record: z.array(z.unknown()),
});
export type SendlogMessage = z.infer<typeof sendlogMessage>;

/**
 * Enrollids some firmware writes on a record of nobody enrolled (PROTOCOL.md §7.5; wire CS,
 * AI03F units, 2021): 99999998 and 99999999 on a health pass scanned by someone the unit does
 * not know (its decoded fields in `note`), 99999999 also on an unrecognised face (an empty
 * `note`). Never a person: not decided as one, not on anyone's timesheet, not sent to HR.
 */
/** The largest enroll id a person may have: the terminals' range, and every schema's that takes one. */
export const ENROLLID_MAX = 999_999_999;
export const PLACEHOLDER_ENROLLIDS: readonly number[] = [99999998, 99999999];
export const isPlaceholderEnrollid = (enrollid: number): boolean => enrollid === 99999998 || enrollid === 99999999;

/** A record's `note` kept at most: fields, characters of a field's name and of a text value. */
export const NOTE_FIELDS = 32;
export const NOTE_KEY_CHARS = 32;
export const NOTE_TEXT_CHARS = 256;

/**
 * A record's `note` (§7.5): the only shape the sources show is a flat object, empty or holding the
 * fields the unit decoded from a scanned health pass (an EU certificate's `fn`, `gn`, `dob`, `ci`,
 * `expiration`, …; wire CS). Anything else, or beyond the bounds, is dropped and the record kept.
 */
export const logNote = z.record(z.string().max(NOTE_KEY_CHARS), z.union([z.string().max(NOTE_TEXT_CHARS), z.number(), z.boolean()]))
  .refine((o) => Object.keys(o).length <= NOTE_FIELDS, `note has more than ${NOTE_FIELDS} fields`);
export type LogNote = z.infer<typeof logNote>;

export const logRecord = z.object({
  enrollid: int.refine((n) => n >= 0, "enrollid is negative"),
  time: timeText,
  mode: int.default(0),
  inout: int.default(0),
  event: int.default(0),
  temp: num.optional().catch(undefined),
  verifymode: int.optional().catch(undefined),
  image: z.string().optional().catch(undefined),
  name: z.string().optional().catch(undefined),
  note: logNote.optional().catch(undefined),
});
export type LogRecord = z.infer<typeof logRecord>;

const INT_TEXT = /^-?\d{1,15}$/;
const NUM_TEXT = /^-?\d+(\.\d+)?$/;

/** `int`'s rule without zod: undefined when zod would refuse the value. */
function intOf(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
  return typeof v === "string" && INT_TEXT.test(v) ? Number(v) : undefined;
}

function numOf(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  return typeof v === "string" && NUM_TEXT.test(v) ? Number(v) : undefined;
}

const stringOf = (v: unknown) => (typeof v === "string" ? v : undefined);

/** `logNote` with zod only for a note with fields: most units send `"note":{}` on every record. */
function noteOf(v: unknown): LogNote | undefined {
  if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0 && Object.getPrototypeOf(v) === Object.prototype) return {};
  const parsed = logNote.safeParse(v);
  return parsed.success ? parsed.data : undefined;
}

/**
 * `logRecord` without zod for the records it accepts, on the ingest hot path (zod cost ~8 % of the
 * server's CPU per record). Null when the record is not plainly valid: the caller then asks zod,
 * so the accept/refuse decision and every refusal message stay zod's. test/protocol checks that
 * the two agree on random and damaged records.
 */
export function plainLogRecord(value: unknown): LogRecord | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const r = value as Record<string, unknown>;
  const enrollid = intOf(r.enrollid);
  const time = typeof r.time === "string" ? parseTerminalTime(r.time) : null;
  const mode = r.mode === undefined ? 0 : intOf(r.mode);
  const inout = r.inout === undefined ? 0 : intOf(r.inout);
  const event = r.event === undefined ? 0 : intOf(r.event);
  if (enrollid === undefined || enrollid < 0 || time === null || mode === undefined || inout === undefined || event === undefined) return null;
  const out: LogRecord = { enrollid, time, mode, inout, event };
  // zod's .optional().catch(undefined): a key sent with a bad value is kept as undefined.
  if ("temp" in r) out.temp = numOf(r.temp);
  if ("verifymode" in r) out.verifymode = intOf(r.verifymode);
  if ("image" in r) out.image = stringOf(r.image);
  if ("name" in r) out.name = stringOf(r.name);
  if ("note" in r) out.note = noteOf(r.note);
  return out;
}

/** `logRecord.safeParse`, fast for plainly valid records. */
export function parseLogRecord(value: unknown): ReturnType<typeof logRecord.safeParse> {
  const plain = plainLogRecord(value);
  return plain ? { success: true, data: plain } : logRecord.safeParse(value);
}

export const senduserMessage = z.object({
  cmd: z.literal("senduser"),
  sn: z.string().optional(),
  enrollid: int.refine((n) => n > 0, "enrollid must be positive"),
  name: z.string().max(64).optional(),
  backupnum: int.refine((n) => n >= 0 && n <= 99, "backupnum out of range"),
  admin: int.refine((n) => n >= 0 && n <= 2, "admin must be 0, 1 or 2").default(0),
  record: z.union([z.string(), z.number().transform(String)]),
});
export type SenduserMessage = z.infer<typeof senduserMessage>;

export const sendqrcodeMessage = z.object({
  cmd: z.literal("sendqrcode"),
  sn: z.string().optional(),
  record: z.union([z.string(), z.number().transform(String)]),
});
export type SendqrcodeMessage = z.infer<typeof sendqrcodeMessage>;

/** The first error of a failed parse, as one line for the log, the quarantine table and the API (the fields as the input names them). */
export const describeError = (error: z.ZodError): string => describeInput(error);
