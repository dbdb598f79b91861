/**
 * One schema per terminal message (PROTOCOL.md §3). Frames are normalised (trimmed) before
 * they reach these schemas; numeric fields also accept numeric strings (`"admin":"0"`).
 */
import { z } from "zod";
import { parseTerminalTime } from "./time.ts";

/** An integer that may arrive as a string. */
export const int = z.union([
  z.number().int(),
  z.string().regex(/^-?\d{1,15}$/).transform(Number),
]);
const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

export const serialNumber = z
  .string()
  .min(1, "sn is empty")
  .max(64, "sn is longer than 64 characters")
  .regex(/^[\x21-\x7e]+$/, "sn has characters outside printable ASCII");

const timeText = z.string().transform((s, ctx) => {
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

/** devinfo is kept whole as received; the known fields are read leniently (a bad one is dropped, not fatal). */
export const devinfo = z.looseObject({
  ...Object.fromEntries(Object.entries(devinfoCounts).map(([k, s]) => [k, s.optional().catch(undefined)])),
  modelname: z.string().optional().catch(undefined),
  fpalgo: z.string().optional().catch(undefined),
  firmware: z.string().optional().catch(undefined),
  mac: z.string().optional().catch(undefined),
  time: z.string().optional().catch(undefined),
  manufacturer: z.string().optional().catch(undefined),
  curip: z.string().optional().catch(undefined),
}) as z.ZodType<DevInfo>;

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
  cpusn: z.string().optional(),
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
  note: z.string().optional().catch(undefined),
});
export type LogRecord = z.infer<typeof logRecord>;

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

/** The first error of a failed parse, as one line for the log and the quarantine table. */
export function describeError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
