/**
 * Doors (issue 16): a terminal's door settings over `setdevlock`/`getdevlock` (PROTOCOL.md §7.1),
 * and the door board (each terminal's online state and last known door state). The settings are
 * what the terminal last answered to `getdevlock`; a change queues `setdevlock` with the fields
 * given and a `getdevlock` behind it, so the page shows what the unit really holds once it answers.
 */
import { z } from "zod";
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import { type DoorReading, doorState } from "../access/door-state.ts";
import { badRequest } from "../lib/app-error.ts";
import { devlockAnswer, type DevlockAnswer, type DevlockScalar } from "../protocol/index.ts";
import type { CommandRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";
import { isCursor } from "../store/cursor.ts";
import type { TerminalRow } from "../store/schema.ts";
import { type Actor, actorId } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";
import { knownTerminal } from "./terminals.ts";

export interface DoorDeps {
  store: Store;
  dispatcher: CommandDispatcher;
  now: () => number;
}

/**
 * Each setting: its wire field and the values PROTOCOL.md §7.1 documents (the firmware does not
 * validate, so we do). `wiegandOutput` 3 has been seen on a unit with no known meaning: shown when
 * read, never sent.
 */
export const DOOR_SETTINGS = {
  openDelay: { wire: "opendelay", max: 255, label: "Open delay (seconds the lock stays released)" },
  doorSensor: { wire: "doorsensor", max: 2, label: "Door sensor", options: ["Off", "Normally closed (NC)", "Normally open (NO)"] },
  alarmDelay: { wire: "alarmdelay", max: 255, label: "Held-open alarm after (minutes, 0 off)" },
  duress: { wire: "threat", max: 3, label: "Duress", options: ["Off", "Open and alarm", "Alarm only", "Open only"] },
  inputAlarm: { wire: "InputAlarm", max: 2, label: "Input alarm", options: ["Off", "Alarm output 1", "Alarm output 2"] },
  antiPassback: { wire: "antpass", max: 2, label: "Anti-passback", options: ["Off", "Master unit inside", "Master unit outside"] },
  interlock: { wire: "interlock", max: 1, label: "Interlock", options: ["Off", "On"] },
  multiPersonOpen: { wire: "mutiopen", max: 4, label: "People who must verify together (0 off, 1–4)" },
  failedTriesAlarm: { wire: "tryalarm", max: 10, label: "Alarm after failed tries (0 off, 1–10)" },
  tamper: { wire: "tamper", max: 1, label: "Tamper alarm", options: ["Off", "On"] },
  wiegandFormat: { wire: "wgformat", max: 1, label: "Wiegand format", options: ["26-bit", "34-bit"] },
  wiegandOutput: { wire: "wgoutput", max: 2, label: "Wiegand output", options: ["Enroll ID", "1 + enroll ID", "Device ID + enroll ID"] },
  cardOutput: { wire: "cardoutput", max: 1, label: "Wiegand sends the card number on a fingerprint match", options: ["No", "Yes"] },
} as const satisfies Record<string, { wire: DevlockScalar; max: number; label: string; options?: readonly string[] }>;

export type DoorSettingName = keyof typeof DOOR_SETTINGS;
export const DOOR_SETTING_NAMES = Object.keys(DOOR_SETTINGS) as DoorSettingName[];
export type DoorSettingValues = Partial<Record<DoorSettingName, number>>;

export const doorSettingsInput = z
  .strictObject(
    Object.fromEntries(
      DOOR_SETTING_NAMES.map((k) => [k, z.number().int("a whole number").min(0, "at least 0").max(DOOR_SETTINGS[k].max, `at most ${DOOR_SETTINGS[k].max}`).optional()]),
    ) as Record<DoorSettingName, z.ZodOptional<z.ZodNumber>>,
  )
  .refine((v) => Object.values(v).some((x) => x !== undefined), "give at least one setting");

export interface DoorSettingsView {
  sn: string;
  /** What the terminal last answered to getdevlock; null before it has answered one. */
  settings: DoorSettingValues | null;
  /** When that answer came (UTC ms). */
  readAt: number | null;
  /** Settings changes and reads not answered yet, newest first. */
  pending: Array<{ id: number; command: string; status: string; createdAt: number }>;
}

function fromAnswer(answer: DevlockAnswer): DoorSettingValues {
  const out: DoorSettingValues = {};
  for (const k of DOOR_SETTING_NAMES) {
    const v = answer[DOOR_SETTINGS[k].wire];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export async function doorSettingsOf(deps: Pick<DoorDeps, "store">, sn: string): Promise<DoorSettingsView> {
  await knownTerminal(deps, sn);
  const [read, sets, gets] = await Promise.all([
    deps.store.commands.list({ sn, command: "getdevlock", status: ["succeeded"], limit: 1 }),
    deps.store.commands.list({ sn, command: "setdevlock", status: ["queued", "sent"], limit: 5 }),
    deps.store.commands.list({ sn, command: "getdevlock", status: ["queued", "sent"], limit: 5 }),
  ]);
  const last = read.items[0];
  const parsed = last?.answer ? devlockAnswer.safeParse(JSON.parse(last.answer)) : null;
  const pending = [...sets.items, ...gets.items].sort((a, b) => b.id - a.id).map((r) => ({ id: r.id, command: r.command, status: r.status, createdAt: r.createdAt }));
  return { sn, settings: parsed?.success ? fromAnswer(parsed.data) : null, readAt: parsed?.success ? (last?.finishedAt ?? null) : null, pending };
}

/** Queues `setdevlock` with the settings given (only those: §7.1 "send only what changes") and a `getdevlock` to read them back. */
export async function changeDoorSettings(deps: DoorDeps, actor: Actor, sn: string, input: unknown): Promise<{ setdevlock: CommandRow; getdevlock: CommandRow }> {
  const values = validInput(doorSettingsInput, input) as DoorSettingValues;
  await knownTerminal(deps, sn);
  const params: Record<string, number> = {};
  for (const k of DOOR_SETTING_NAMES) {
    const v = values[k];
    if (v !== undefined) params[DOOR_SETTINGS[k].wire] = v;
  }
  const by = actorId(actor);
  const [set, get] = await deps.dispatcher.submit([
    { sn, command: "setdevlock", params, actor: by },
    { sn, command: "getdevlock", params: {}, actor: by },
  ]);
  if (!set || !get) throw badRequest("nothing queued");
  await audit(deps, actor, "terminal.door-settings", sn, { ...values, commands: [set.id, get.id] });
  return { setdevlock: set, getdevlock: get };
}

/** Asks the terminal for its door settings again (a `getdevlock`). */
export async function readDoorSettings(deps: DoorDeps, actor: Actor, sn: string): Promise<CommandRow> {
  await knownTerminal(deps, sn);
  const [row] = await deps.dispatcher.submit([{ sn, command: "getdevlock", params: {}, actor: actorId(actor) }]);
  if (!row) throw badRequest("nothing queued");
  return row;
}

export interface DoorBoardEntry extends DoorReading {
  sn: string;
  name: string | null;
  location: string | null;
  online: boolean;
  approval: TerminalRow["approval"];
  /** The door event's own time on the terminal's clock (site-local), as it sent it. */
  time: string | null;
}

export const doorBoardQuery = z.object({
  q: z.string().trim().max(100).optional(),
  cursor: z.string().max(200).refine(isCursor, "not a cursor of this list").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** One page of the door board: terminals by sn (searched by sn, name, location), each with its door's last known state. */
export async function doorBoard(deps: Pick<DoorDeps, "store" | "now">, query: z.input<typeof doorBoardQuery>): Promise<{ items: DoorBoardEntry[]; next: string | null }> {
  const q = validInput(doorBoardQuery, query);
  const page = await deps.store.terminalsPage({ ...(q.q ? { q: q.q } : {}), ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit });
  return { items: await doorEntries(deps, page.items), next: page.next };
}

/** The board's entries for these terminals (also what the live feed sends for one terminal). */
export async function doorEntries(deps: Pick<DoorDeps, "store" | "now">, terminals: readonly TerminalRow[]): Promise<DoorBoardEntry[]> {
  const latest = new Map((await deps.store.latestDoorEvents(terminals.map((t) => t.sn))).map((e) => [e.sn, e]));
  const now = deps.now();
  return terminals.map((t) => {
    const e = latest.get(t.sn);
    return { sn: t.sn, name: t.name, location: t.location, online: t.online, approval: t.approval, ...doorState(e, now), time: e?.time ?? null };
  });
}
