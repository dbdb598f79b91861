/**
 * **Pure**: a door's state on the board (issue 16) from the newest door event its terminal sent
 * (PROTOCOL.md §7.6: 0 closed, 1 opened, 2 exit button, 3 opened by software, 4 closed by
 * software, 5 forced open, 6 tamper, 7 input alarm; other codes are kept raw). An alarm stays the
 * door's state until the terminal reports something newer, as a guard would read the panel.
 */
import { DOOR_HELD_OPEN_MS } from "../alerts/model.ts";

export const DOOR_STATES = ["unknown", "closed", "open", "held_open", "forced_open", "tamper", "input_alarm"] as const;
export type DoorState = (typeof DOOR_STATES)[number];

const BY_EVENT: Record<number, DoorState> = { 0: "closed", 1: "open", 2: "open", 3: "open", 4: "closed", 5: "forced_open", 6: "tamper", 7: "input_alarm" };

export interface DoorReading {
  state: DoorState;
  /** The event's code as the terminal sent it; null when it has sent none. */
  event: number | null;
  /** Since when (UTC ms): the event's instant; null when unknown. */
  since: number | null;
}

/** What one door event says of its door, by its code alone ("held open" needs the clock). */
export function doorEventState(event: number): DoorState {
  return BY_EVENT[event] ?? "unknown";
}

/**
 * "Opened" by the door sensor (1) and nothing since for `DOOR_HELD_OPEN_MS` is held open, as the
 * alerts say; an exit button or a software open (2, 3) is the relay, whose own delay closes it.
 */
export function doorState(latest: { event: number; ts: number } | null | undefined, now: number): DoorReading {
  if (!latest) return { state: "unknown", event: null, since: null };
  const state = doorEventState(latest.event);
  if (state === "open" && latest.event === 1 && now - latest.ts >= DOOR_HELD_OPEN_MS) return { state: "held_open", event: latest.event, since: latest.ts };
  return { state, event: latest.event, since: latest.ts };
}

/** The board's words for a state. */
export const DOOR_STATE_LABELS: Record<DoorState, string> = {
  unknown: "No door event yet",
  closed: "Closed",
  open: "Open",
  held_open: "Held open too long",
  forced_open: "Forced open",
  tamper: "Tamper",
  input_alarm: "Input alarm",
};
