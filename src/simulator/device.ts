/**
 * What a simulated terminal holds and how it answers the server's commands (PROTOCOL.md §4):
 * a user store (credentials by backupnum), a log store, a clock, and the settings the get/set
 * commands read and write. Pages hold at most 40 users / 50 logs; `count` is the total and `to`
 * is exclusive, as on the captured unit. It keeps the access-control tables it is sent (zones,
 * holidays, user locks) and decides at its door from them alone, as a unit does without a server.
 */
import { type HeldByUnit, unitAdmits, type UserLock } from "../access/index.ts";
import { devlockAnswer, formatWallClock, holidayAnswer, parseDate, SiteClock, systemTimeZone, userlockAnswer } from "../protocol/index.ts";

export interface SimUser {
  name: string;
  admin: number;
  enabled: boolean;
  credentials: Map<number, string>;
}

export interface SimLog {
  enrollid: number;
  time: string;
  mode: number;
  inout: number;
  event: number;
}

export type SimAnswer = { reply: Record<string, unknown> } | { reboot: true } | { reply: null };

const USER_PAGE = 40;
const LOG_PAGE = 50;

function wallOf(ms: number): string {
  const t = new Date(ms);
  return formatWallClock({
    year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(),
    hour: t.getUTCHours(), minute: t.getUTCMinutes(), second: t.getUTCSeconds(),
  });
}

/** Deterministic template-like hex for credential `backupnum` of person `enrollid`. */
export function simTemplate(enrollid: number, backupnum: number, length = 1400): string {
  let x = (enrollid * 2654435761 + backupnum * 40503 + 1) >>> 0;
  let out = "";
  while (out.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += (x >>> 8).toString(16).padStart(6, "0");
  }
  return out.slice(0, length);
}

/**
 * `count` people: each has fingerprint 0 and a card (11); every second one a fingerprint 1 too
 * (so 1,000 people hold 2,500 credentials).
 */
export function seedPeople(device: SimDevice, count: number, firstEnrollid = 1) {
  for (let i = 0; i < count; i++) {
    const id = firstEnrollid + i;
    const credentials = new Map<number, string>([[0, simTemplate(id, 0)], [11, String(10_000_000 + id)]]);
    if (i % 2 === 1) credentials.set(1, simTemplate(id, 1));
    device.users.set(id, { name: `Person ${id}`, admin: 0, enabled: true, credentials });
  }
}

export class SimDevice {
  readonly users = new Map<number, SimUser>();
  logs: Array<SimLog & { uploaded: boolean }> = [];
  /** Every command frame received, in order (for assertions). */
  readonly received: Array<Record<string, unknown>> = [];
  doorsOpened = 0;
  /** Terminal wall clock = UTC now + this, read as a wall clock. */
  clockOffsetMs: number;
  #settings = new Map<string, Record<string, unknown>>();
  #access: HeldByUnit & { locks: Map<number, UserLock> } = { dayzones: null, weekzones: null, holidays: null, locks: new Map() };
  #userPage: { entries: Array<{ enrollid: number; admin: number; backupnum: number }>; pos: number } | null = null;
  #logCursor: { entries: Array<SimLog & { uploaded: boolean }>; pos: number; markUploaded: boolean } | null = null;

  /** Whether `setusername` adds someone it does not hold (a user with a name and no credential). */
  readonly #nameOnlyUsers: boolean;
  /** The firmware version its registration reports (devinfo `firmware`). */
  readonly firmware: string;

  constructor(options: { clockSkewSeconds?: number; nameOnlyUsers?: boolean; firmware?: string } = {}) {
    this.#nameOnlyUsers = options.nameOnlyUsers ?? true;
    this.firmware = options.firmware ?? "sim-1.0";
    const now = Date.now();
    const local = new SiteClock(systemTimeZone()).format(now);
    this.clockOffsetMs = Date.parse(`${local.replace(" ", "T")}Z`) - Math.floor(now / 1000) * 1000 + (options.clockSkewSeconds ?? 0) * 1000;
  }

  time(): string {
    return wallOf(Date.now() + this.clockOffsetMs);
  }

  setTime(cloudtime: string) {
    const ms = Date.parse(`${cloudtime.trim().replace(" ", "T")}Z`);
    if (!Number.isNaN(ms)) this.clockOffsetMs = ms - Date.now();
  }

  addLogs(records: SimLog[]) {
    for (const r of records) this.logs.push({ ...r, uploaded: false });
  }

  /**
   * A person presents a credential at the door at a terminal time (now by default): they must be
   * enrolled and enabled here, and the tables the unit holds must let them through.
   */
  verify(enrollid: number, time = this.time()): boolean {
    return this.users.get(enrollid)?.enabled === true && unitAdmits(this.#access, enrollid, time);
  }

  /**
   * A person at the door at a terminal time, connected or not: the unit decides alone (`verify`)
   * and keeps an admitted punch as a new log, uploaded when the server asks for new logs
   * (`getnewlog`). A refused one leaves no log (inf: units keep attendance, not refusals).
   */
  punch(enrollid: number, time = this.time()): boolean {
    const admitted = this.verify(enrollid, time);
    if (admitted) this.addLogs([{ enrollid, time, mode: 1, inout: 0, event: 0 }]);
    return admitted;
  }

  credentialCount(): number {
    let n = 0;
    for (const u of this.users.values()) n += u.credentials.size;
    return n;
  }

  /** The answer to one server command (null reply: the terminal says nothing). */
  handle(msg: Record<string, unknown>): SimAnswer {
    const cmd = String(msg.cmd);
    this.received.push(msg);
    const ok = (fields: Record<string, unknown> = {}): SimAnswer => ({ reply: { ret: cmd, result: true, ...fields } });
    const no = (): SimAnswer => ({ reply: { ret: cmd, result: false, reason: 1 } });
    const id = Number(msg.enrollid);
    switch (cmd) {
      case "getuserlist":
        return ok(this.#userListPage(msg.stn === true));
      case "getuserinfo": {
        const u = this.users.get(id);
        const data = u?.credentials.get(Number(msg.backupnum));
        if (!u || data === undefined) return no();
        return ok({ enrollid: id, name: u.name, backupnum: Number(msg.backupnum), admin: u.admin, record: data });
      }
      case "setuserinfo": {
        if (!Number.isInteger(id) || typeof msg.record !== "string") return no();
        const u = this.users.get(id) ?? { name: "", admin: 0, enabled: true, credentials: new Map() };
        u.name = String(msg.name ?? u.name);
        u.admin = Number(msg.admin ?? u.admin);
        u.credentials.set(Number(msg.backupnum), msg.record);
        this.users.set(id, u);
        return ok();
      }
      case "deleteuser": {
        const u = this.users.get(id);
        if (!u) return no();
        const b = Number(msg.backupnum);
        if (b === 13) this.users.delete(id);
        else {
          for (const k of [...u.credentials.keys()]) if (k === b || (b === 12 && k <= 9)) u.credentials.delete(k);
          if (u.credentials.size === 0) this.users.delete(id);
        }
        return ok();
      }
      case "getusername": {
        const u = this.users.get(id);
        return u ? ok({ enrollid: id, record: u.name }) : no();
      }
      case "setusername": {
        const records = Array.isArray(msg.record) ? (msg.record as Array<Record<string, unknown>>) : [];
        // A firmware without name-only users refuses a name for someone it does not hold.
        if (!this.#nameOnlyUsers && records.some((r) => !this.users.has(Number(r.enrollid)))) return no();
        for (const r of records) {
          const u = this.users.get(Number(r.enrollid));
          if (u) u.name = String(r.name);
          else this.users.set(Number(r.enrollid), { name: String(r.name), admin: 0, enabled: true, credentials: new Map() });
        }
        return ok();
      }
      case "enableuser": {
        const u = this.users.get(id);
        if (!u) return no();
        u.enabled = Number(msg.enflag) === 1;
        return ok();
      }
      case "cleanuser":
        this.users.clear();
        return ok();
      case "cleanadmin":
        for (const u of this.users.values()) u.admin = 0;
        return ok();
      case "cleanlog":
        this.logs = [];
        return ok();
      case "initsys":
        this.users.clear();
        this.logs = [];
        this.#settings.clear();
        this.#access = { dayzones: null, weekzones: null, holidays: null, locks: new Map() };
        return ok();
      case "getnewlog":
      case "getalllog":
        return ok(this.#logPage(cmd, msg));
      case "settime":
        if (typeof msg.cloudtime !== "string") return no();
        this.setTime(msg.cloudtime);
        return ok();
      case "gettime":
        return ok({ time: this.time() });
      case "opendoor":
        this.doorsOpened++;
        return ok();
      case "reboot":
        return { reboot: true };
      case "getdevinfo":
      case "getdevlock":
      case "getholiday":
      case "getquestionnaire":
        return ok(this.#settings.get(cmd.slice(3)) ?? {});
      case "setdevlock": {
        const read = devlockAnswer.safeParse(msg);
        if (!read.success) return no();
        if (read.data.dayzones) this.#access.dayzones = read.data.dayzones;
        if (read.data.weekzones) this.#access.weekzones = read.data.weekzones;
        return this.#keep(cmd, msg);
      }
      case "setholiday": {
        const read = holidayAnswer.safeParse(msg);
        if (!read.success) return no();
        this.#access.holidays = read.data.holidays;
        return this.#keep(cmd, msg);
      }
      case "setdevinfo":
      case "setquestionnaire":
        return this.#keep(cmd, msg);
      case "getuserlock": {
        const lock = this.#access.locks.get(id);
        return lock ? ok({ count: 1, record: [{ enrollid: id, ...lock }] }) : no();
      }
      case "setuserlock": {
        const records = Array.isArray(msg.record) ? msg.record : [];
        const locks = records.flatMap((r) => {
          const read = userlockAnswer.safeParse(r);
          return read.success ? [read.data] : [];
        });
        if (locks.length !== records.length) return no();
        for (const { enrollid, weekzone, group, starttime, endtime } of locks) this.#access.locks.set(enrollid, { weekzone, group, starttime, endtime });
        return ok();
      }
      case "deleteuserlock":
        return this.#access.locks.delete(id) ? ok() : no();
      case "cleanuserlock":
        this.#access.locks.clear();
        return ok();
      default:
        return no();
    }
  }

  /** A set command's fields, kept as sent for the matching get command to echo. */
  #keep(cmd: string, msg: Record<string, unknown>): SimAnswer {
    const { cmd: _c, sn: _s, ...fields } = msg;
    this.#settings.set(cmd.slice(3), { ...(this.#settings.get(cmd.slice(3)) ?? {}), ...fields });
    return { reply: { ret: cmd, result: true } };
  }

  #userListPage(first: boolean) {
    if (first || !this.#userPage) {
      const entries = [...this.users.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([enrollid, u]) => [...u.credentials.keys()].sort((a, b) => a - b).map((backupnum) => ({ enrollid, admin: u.admin, backupnum })));
      this.#userPage = { entries, pos: 0 };
    }
    const p = this.#userPage;
    const from = p.pos;
    const to = Math.min(from + USER_PAGE, p.entries.length);
    p.pos = to;
    return { count: p.entries.length, from, to, record: p.entries.slice(from, to) };
  }

  #logPage(cmd: string, msg: Record<string, unknown>) {
    if (msg.stn === true || !this.#logCursor) {
      const inRange = (t: string) => {
        const day = t.slice(0, 10);
        return cmd !== "getalllog" || (day >= dateOf(msg.from) && day <= dateOf(msg.to));
      };
      const entries = this.logs.filter((l) => (cmd === "getnewlog" ? !l.uploaded : inRange(l.time)));
      this.#logCursor = { entries, pos: 0, markUploaded: cmd === "getnewlog" };
    }
    const p = this.#logCursor;
    const from = p.pos;
    const to = Math.min(from + LOG_PAGE, p.entries.length);
    p.pos = to;
    const record = p.entries.slice(from, to).map(({ enrollid, time, mode, inout, event }) => ({ enrollid, time, mode, inout, event }));
    if (p.markUploaded) for (const l of p.entries.slice(from, to)) l.uploaded = true;
    return { count: p.entries.length, from, to, record };
  }
}

const dateOf = (value: unknown) => parseDate(String(value ?? "")) ?? "";
