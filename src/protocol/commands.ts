/**
 * Server → terminal commands (PROTOCOL.md §4): one strict schema per command for the params a
 * caller may give, and the frame each one becomes. Unknown fields and out-of-range values are
 * refused here, before anything is queued. Paging fields (`stn`) and clock fields are the
 * engine's, not the caller's.
 */
import { z } from "zod";
import { dayZoneWire, lockGroupWire, normallyOpenWire, USERLOCKS_PER_FRAME, WEEKZONE_WIRE_DAYS, weekZoneWire } from "./access.ts";
import { describeError, ENROLLID_MAX, int, timeText } from "./messages.ts";
import { parseDate } from "./time.ts";

const enrollid = z.number().int().min(1).max(ENROLLID_MAX);
/** 0–9 fingerprint, 10 password, 11 card, 20–27 face, 30–37 palm, 50 photo. */
export const CREDENTIAL_BACKUPNUMS = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20, 21, 22, 23, 24, 25, 26, 27, 30, 31, 32, 33, 34, 35, 36, 37, 50,
] as const;
const backupnum = z
  .number()
  .int()
  .refine((n) => (CREDENTIAL_BACKUPNUMS as readonly number[]).includes(n), "backupnum must be 0-9, 10, 11, 20-27, 30-37 or 50");
const admin = z.number().int().min(0).max(2);
const name = z.string().max(64);
const flag = z.number().int().min(0).max(1);
const small = z.number().int().min(0).max(255);
const dateText = z.string().transform((s, ctx) => {
  const d = parseDate(s);
  if (d === null) {
    ctx.addIssue({ code: "custom", message: `not a date (YYYY-MM-DD): "${s}"` });
    return z.NEVER;
  }
  return d;
});
const zoneSection = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d~([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM~HH:MM"');
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected "MM-DD"');

/** A credential's data: a template, PIN, card number or base64 photo, kept byte for byte. */
const credentialRecord = z.string().min(1).max(4 * 1024 * 1024);

const devinfoFields = {
  deviceid: z.number().int().min(0).max(65_535),
  language: small,
  volume: z.number().int().min(0).max(10),
  screensaver: z.number().int().min(0).max(65_535),
  verifymode: small,
  sleep: flag,
  userfpnum: z.number().int().min(1).max(10),
  loghint: z.number().int().min(0).max(65_535),
  reverifytime: z.number().int().min(0).max(65_535),
};

const dayZoneNumber = z.number().int().min(0).max(8);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/**
 * A day zone or week zone as the caller writes it (sections as strings, seven zone numbers Monday
 * first), or as the wire carries it (§7.1: `{"section":…}`, `{"day":Z}` in wire day order), read
 * into the caller's form.
 */
const dayZone = z.preprocess(
  (v) => (isObject(v) && Array.isArray(v.day) ? { ...v, day: v.day.map((s: unknown) => (isObject(s) && "section" in s ? s.section : s)) } : v),
  z.object({ day: z.array(zoneSection).max(5) }).strict(),
);
const weekZone = z.preprocess(
  (v) =>
    isObject(v) && Array.isArray(v.week) && v.week.length === 7 && v.week.every((d: unknown) => isObject(d) && "day" in d)
      ? { ...v, week: [1, 2, 3, 4, 5, 6, 7].map((iso) => (v.week as Array<{ day: unknown }>)[WEEKZONE_WIRE_DAYS.indexOf(iso)]?.day) }
      : v,
  z.object({ week: z.array(dayZoneNumber).length(7) }).strict(),
);
/** §7.1: each decimal digit of a lock group is a user group 1–9 that must present together; 0 = unused. */
const lockGroup = z.number().int().refine((n) => n === 0 || /^[1-9]{1,4}$/.test(String(n)), "a lock group is 0 or 1 to 4 digits 1-9");

const devlockFields = {
  opendelay: z.number().int().min(0).max(255),
  doorsensor: small,
  alarmdelay: small,
  threat: small,
  InputAlarm: small,
  antpass: small,
  interlock: small,
  mutiopen: small,
  tryalarm: small,
  tamper: small,
  wgformat: small,
  wgoutput: small,
  cardoutput: small,
  /** Sent padded to 8 zones of 5 sections (§7.1): the frame replaces the unit's whole table. */
  dayzone: z.array(dayZone).max(8),
  weekzone: z.array(weekZone).max(8),
  lockgroup: z.preprocess((v) => (Array.isArray(v) ? v.map((g: unknown) => (isObject(g) && "group" in g ? g.group : g)) : v), z.array(lockGroup).max(5)),
  /** A "normally open" day zone per weekday, Monday first (§7.1, inferred). */
  nopentime: z.array(dayZoneNumber).length(7),
};

const userlockEntry = z
  .object({
    enrollid,
    weekzone: z.number().int().min(0).max(8),
    weekzone2: z.number().int().min(0).max(8).optional(),
    weekzone3: z.number().int().min(0).max(8).optional(),
    weekzone4: z.number().int().min(0).max(8).optional(),
    group: z.number().int().min(0).max(9),
    starttime: timeText,
    endtime: timeText,
  })
  .strict()
  .refine((e) => e.starttime <= e.endtime, "starttime is after endtime");

const holiday = z
  .object({ name: z.string().max(32), startday: monthDay, endday: monthDay, shift: z.number().int().min(0).max(255), dayzone: dayZoneNumber })
  .strict();

const none = z.object({}).strict();

export const commandParams = {
  getuserlist: none,
  getuserinfo: z.object({ enrollid, backupnum }).strict(),
  setuserinfo: z.object({ enrollid, name, backupnum, admin: admin.default(0), record: credentialRecord }).strict(),
  deleteuser: z.object({ enrollid, backupnum: z.number().int().min(0).max(13) }).strict(),
  getusername: z.object({ enrollid }).strict(),
  setusername: z.object({ record: z.array(z.object({ enrollid, name }).strict()).min(1).max(50) }).strict(),
  enableuser: z.object({ enrollid, enflag: flag }).strict(),
  cleanuser: none,
  cleanadmin: none,
  cleanlog: none,
  initsys: none,
  getnewlog: none,
  getalllog: z
    .object({ from: dateText, to: dateText })
    .strict()
    .refine((p) => p.from <= p.to, "from is after to"),
  settime: none,
  gettime: none,
  getdevinfo: none,
  setdevinfo: z.object(devinfoFields).partial().strict(),
  opendoor: z.object({ doornum: z.number().int().min(1).max(4).optional() }).strict(),
  reboot: none,
  getdevlock: none,
  setdevlock: z.object(devlockFields).partial().strict(),
  getuserlock: z.object({ enrollid }).strict(),
  setuserlock: z.object({ record: z.array(userlockEntry).min(1).max(USERLOCKS_PER_FRAME) }).strict(),
  deleteuserlock: z.object({ enrollid }).strict(),
  cleanuserlock: none,
  getholiday: none,
  setholiday: z.object({ holidays: z.array(holiday).max(30) }).strict(),
  getquestionnaire: none,
  // The questionnaire's layout varies by firmware; it is passed through as given, bounded in size.
  setquestionnaire: z
    .object({ title: z.string().max(64), items: z.array(z.unknown()).max(64), schedules: z.array(z.unknown()).max(64) })
    .catchall(z.unknown())
    .refine((p) => JSON.stringify(p).length <= 64 * 1024, "questionnaire larger than 64 KiB"),
} as const;

export type CommandName = keyof typeof commandParams;
export const COMMAND_NAMES = Object.keys(commandParams) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commandParams, name);
}

/** Answers come in pages, asked for with `stn:true` then `stn:false`. */
export const PAGED_COMMANDS: ReadonlySet<CommandName> = new Set(["getuserlist", "getnewlog", "getalllog"]);
/** The terminal restarts without answering: done when sent. */
export const UNANSWERED_COMMANDS: ReadonlySet<CommandName> = new Set(["reboot"]);
/** Opening a door or wiping data hours late is worse than never: short default deadline, no retries. */
export const URGENT_COMMANDS: ReadonlySet<CommandName> = new Set(["opendoor", "cleanlog", "cleanuser", "cleanadmin", "initsys", "reboot"]);
/** Safe to send again after a time-out: the terminal ends in the same state however often it runs. */
export const IDEMPOTENT_COMMANDS: ReadonlySet<CommandName> = new Set(
  COMMAND_NAMES.filter((n) => !URGENT_COMMANDS.has(n)),
);

export type ValidParams = Record<string, unknown>;

export type ParamsResult = { ok: true; params: ValidParams } | { ok: false; error: string };

/** Validates a caller's params for a command; the error names the first bad field. */
export function validateParams(command: string, params: unknown): ParamsResult {
  if (!isCommandName(command)) return { ok: false, error: `unknown command "${command}"` };
  const parsed = commandParams[command].safeParse(params ?? {});
  if (!parsed.success) return { ok: false, error: describeError(parsed.error) };
  return { ok: true, params: parsed.data as ValidParams };
}

export interface FrameContext {
  sn: string;
  /** Site-local "YYYY-MM-DD HH:MM:SS" at send time (for `settime`). */
  cloudtime: string;
  /** For paged commands: the first page (true) or the next one (false). */
  firstPage: boolean;
}

/** The frame to send for validated params. */
export function commandFrame(command: CommandName, params: ValidParams, ctx: FrameContext): Record<string, unknown> {
  const frame: Record<string, unknown> = { cmd: command, sn: ctx.sn };
  if (PAGED_COMMANDS.has(command)) frame.stn = ctx.firstPage;
  if (command === "settime") frame.cloudtime = ctx.cloudtime;
  if (command === "setusername" || command === "setuserlock") {
    const record = params.record as unknown[];
    frame.count = record.length;
  }
  // Shape A of §7.3 asks with stn:true; it has one page.
  if (command === "getholiday") frame.stn = true;
  if (command === "setdevlock") return { ...frame, ...params, ...devlockWire(params) };
  return { ...frame, ...params };
}

/** The table fields of a validated `setdevlock` in their wire shapes (§7.1), padded. */
function devlockWire(params: ValidParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(params.dayzone)) out.dayzone = dayZoneWire((params.dayzone as Array<{ day: string[] }>).map((zone) => zone.day));
  if (Array.isArray(params.weekzone)) out.weekzone = weekZoneWire((params.weekzone as Array<{ week: number[] }>).map((w) => w.week));
  if (Array.isArray(params.lockgroup)) out.lockgroup = lockGroupWire(params.lockgroup as number[]);
  if (Array.isArray(params.nopentime)) out.nopentime = normallyOpenWire(params.nopentime as number[]);
  return out;
}

/**
 * Whether an answer named `name` answers `command`: V21 shows a failed `getdevlock` answered as
 * `ret:"setdevlock"` (§7.1).
 */
export function answersCommand(command: string, name: string): boolean {
  return name === command || (command === "getdevlock" && name === "setdevlock");
}

/** What a refusal's `reason` code means, where it is known (setuserinfo photos, PROTOCOL.md §4). */
const PHOTO_REASONS: Record<number, string> = {
  1: "photo too big",
  5: "no face in the photo",
  6: "several faces in the photo",
  7: "photo size not accepted",
  8: "face too big",
  9: "face too small",
  10: "photo quality too low",
  11: "partial face",
  12: "face already enrolled",
};

export function describeReason(command: string, backupnum: unknown, reason: unknown): string {
  if (reason === undefined || reason === null) return "refused by the terminal";
  const code = typeof reason === "number" ? reason : Number(reason);
  if (command === "setuserinfo" && backupnum === 50 && Number.isInteger(code) && PHOTO_REASONS[code]) {
    return `${PHOTO_REASONS[code]} (reason ${code})`;
  }
  if (code === 1) return "refused by the terminal (reason 1)";
  return `refused by the terminal (reason ${String(reason)})`;
}

/** One page of a paged answer, read leniently (numbers may be strings). */
export const pageAnswer = z.object({
  count: int.optional(),
  from: int.optional(),
  to: int.optional(),
  record: z.array(z.unknown()).default([]),
});

export const userListEntry = z.object({
  enrollid: int,
  admin: int.default(0),
  backupnum: int,
});
export type UserListEntry = z.infer<typeof userListEntry>;

export const userInfoAnswer = z.object({
  enrollid: int,
  name: z.string().max(64).default(""),
  backupnum: int,
  admin: int.default(0),
  record: z.union([z.string(), z.number().transform(String)]),
});
