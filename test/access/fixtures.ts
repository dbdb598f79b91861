import { type AccessModel, type AccessModelInput, type HeldTables, heldAfter, type PlannedCommand, parseAccessModel, type TerminalTables } from "../../src/access/index.ts";
import { validateParams } from "../../src/protocol/index.ts";

/** A model read through the schema, as the server will read it; throws on a bad fixture. */
export function model(input: AccessModelInput): AccessModel {
  const parsed = parseAccessModel(input);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.model;
}

const weekdays = (windows: string[]) => ({ "1": windows, "2": windows, "3": windows, "4": windows, "5": windows });

export const ANN_QR = "QR-ANN-7f3a9c21b8e4d5f6";
export const PASS_QR = "PASS-0b1c2d3e4f5a6b7c";

/**
 * A small site: FRONT and BACK doors (BACK reached through the terminal group 100), office hours,
 * Saturday mornings and cleaners' hours, all closed on holidays.
 */
export const site: AccessModelInput = {
  schedules: [
    { id: 1, name: "Office", days: weekdays(["08:00-18:00"]), holidaysClosed: true },
    { id: 2, name: "Saturday mornings", days: { "6": ["08:00-12:00"] }, holidaysClosed: true },
    { id: 3, name: "Cleaners", days: weekdays(["18:00-20:00", "06:00-08:00"]), holidaysClosed: true },
  ],
  levels: [
    { id: 10, name: "Staff, front door", scheduleId: 1, terminals: ["FRONT"] },
    { id: 11, name: "Saturday, both doors", scheduleId: 2, groupIds: [100] },
    { id: 12, name: "Cleaning", scheduleId: 3, terminals: ["FRONT", "BACK"] },
  ],
  terminalGroups: [{ id: 100, members: ["FRONT", "BACK"] }],
  people: [
    { enrollid: 1, name: "Ann", enabled: true, levelIds: [10, 11], lockGroup: 2, qrCode: ANN_QR },
    { enrollid: 2, name: "Bob", enabled: true, levelIds: [10] },
    { enrollid: 3, name: "Cleo", enabled: true, levelIds: [12] },
    { enrollid: 4, name: "Dan", enabled: false, levelIds: [10] },
    { enrollid: 5, name: "Eve", enabled: true, levelIds: [10], validFrom: "2026-01-01", validTo: "2026-06-30" },
    { enrollid: 6, name: "Finn", enabled: true },
  ],
  holidays: [
    { name: "New Year", from: "2027-01-01", to: "2027-01-01" },
    { name: "Christmas", from: "2026-12-24", to: "2026-12-26" },
    { name: "Christmas 2025", from: "2025-12-25", to: "2025-12-25" },
    { name: "Year end", from: "2026-12-31", to: "2027-01-02" },
  ],
  passes: [
    { id: 1, name: "Visitor V. Isitor", code: PASS_QR, validFrom: "2026-03-10 09:00:00", validTo: "2026-03-10 17:00:00", terminals: ["FRONT"], uses: 1 },
  ],
};

/** Compiled tables as a terminal that acknowledged them holds them. */
export const held = (t: TerminalTables): HeldTables => ({ ...t, locks: new Map(t.locks) });

/** What the terminal holds after acknowledging each command, each validated as the queue would. */
export function apply(start: HeldTables, commands: PlannedCommand[]): HeldTables {
  return commands.reduce((h, c) => {
    const valid = validateParams(c.command, c.params);
    if (!valid.ok) throw new Error(`${c.command}: ${valid.error}`);
    return heldAfter(h, c.command, valid.params);
  }, start);
}
