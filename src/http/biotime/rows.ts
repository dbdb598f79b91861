/**
 * Our rows in BioTime's shapes. Every documented field is present, null when we have nothing
 * for it (one connector fails on a missing `position`). `punch_state` is a string ("0"/"1": Odoo's
 * module ignores an integer) and its display text is BioTime's exactly (navari keys on it).
 */
import type { SiteClock } from "../../protocol/index.ts";
import { empCode } from "../../people/employee-code.ts";
import type { AttendanceRow, PersonRow, TerminalRow } from "../../store/schema.ts";

const PUNCH_STATES: Record<number, string> = {
  0: "Check In",
  1: "Check Out",
  2: "Break Out",
  3: "Break In",
  4: "Overtime In",
  5: "Overtime Out",
};

/** Our `mode` (PROTOCOL.md §3, as captured) as BioTime's verify types: 1 fingerprint, 3 password, 4 card, 15 face. */
const VERIFY_TYPES: Record<number, [number, string]> = {
  1: [1, "Fingerprint"],
  2: [4, "Card"],
  3: [3, "Password"],
  8: [15, "Face"],
};

/** BioTime terminals belong to an area; ours carry a free-text location, shown as the area's name ("" when none). */
function area(t: TerminalRow | undefined): string {
  return t?.location ?? "";
}

export function terminalAlias(t: TerminalRow | undefined, sn: string): string {
  return t?.name ?? sn;
}

/** A department as ours: BioTime numbers departments and gives each a code; ours has an id and a name. */
export interface DepartmentRef {
  id: number;
  name: string;
}

export interface RowContext {
  clock: SiteClock;
  people: Map<number, PersonRow>;
  terminals: Map<string, TerminalRow>;
  /** Each person's department today, by enrollid (none: not in one). */
  departments: Map<number, DepartmentRef>;
}

/** BioTime's department object (employees carry it whole; a transaction carries its name). */
export function departmentRow(d: DepartmentRef) {
  return { id: d.id, dept_code: String(d.id), dept_name: d.name, parent_dept: null };
}

export function transactionRow(r: AttendanceRow, ctx: RowContext) {
  const person = ctx.people.get(r.enrollid);
  const terminal = ctx.terminals.get(r.sn);
  const [verifyType, verifyDisplay] = r.verifymode === 13 ? [0, "QR Code"] : (VERIFY_TYPES[r.mode] ?? [0, "Any"]);
  return {
    id: r.id,
    emp_code: empCode(r.enrollid, person),
    first_name: person?.name ?? "",
    last_name: "",
    department: ctx.departments.get(r.enrollid)?.name ?? null,
    position: null,
    punch_time: r.time,
    punch_state: String(r.inout),
    punch_state_display: PUNCH_STATES[r.inout] ?? "Unknown",
    verify_type: verifyType,
    verify_type_display: verifyDisplay,
    work_code: "0",
    gps_location: null,
    area_alias: area(terminal),
    terminal_sn: r.sn,
    terminal_alias: terminalAlias(terminal, r.sn),
    temperature: r.temp ?? null,
    upload_time: ctx.clock.format(r.receivedAt),
  };
}

/** Hours east of UTC now, as BioTime's `terminal_tz`. */
function utcOffsetHours(clock: SiteClock, now: number): number {
  const wall = Date.parse(`${clock.format(now).replace(" ", "T")}Z`);
  return Math.round((wall - Math.floor(now / 1000) * 1000) / 36_000) / 100;
}

/** `id` is the terminal's place in first-seen order: BioTime numbers its terminals, we key them by serial number. */
export function terminalRow(t: TerminalRow, id: number, clock: SiteClock, now: number) {
  const areaName = area(t);
  return {
    id,
    sn: t.sn,
    ip_address: t.remoteAddr,
    alias: terminalAlias(t, t.sn),
    terminal_name: t.model,
    fw_ver: t.firmware,
    state: t.online ? 1 : 0,
    terminal_tz: utcOffsetHours(clock, now),
    area: { id: 1, area_code: "1", area_name: areaName },
    area_name: areaName,
    last_activity: clock.format(t.lastSeen),
    user_count: t.userUsed,
    fp_count: t.fpUsed,
    face_count: t.faceUsed,
    palm_count: t.palmUsed,
    transaction_count: t.logUsed,
  };
}

export function employeeRow(p: PersonRow, department: DepartmentRef | undefined) {
  return {
    id: p.enrollid,
    emp_code: empCode(p.enrollid, p),
    first_name: p.name,
    last_name: "",
    nickname: null,
    full_name: p.name,
    format_name: p.name,
    photo: null,
    department: department ? departmentRow(department) : null,
    position: null,
    hire_date: p.validFrom,
    gender: null,
    birthday: null,
    email: null,
    mobile: null,
    enable_att: p.enabled,
    area: [],
  };
}
