/**
 * The one place raw terminal codes become words (PROTOCOL.md §3: the raw value is stored; the
 * meaning of `mode` differs by firmware, so unknown codes are shown as their number).
 */
import { MESSAGES } from "../access/index.ts";
import { DOOR_ALARM_EVENTS } from "../protocol/index.ts";

const MODES: Record<number, string> = { 1: "Fingerprint", 2: "Card", 3: "Password", 8: "Face", 13: "QR code" };

export function verificationLabel(mode: number, verifymode?: number | null): string {
  if (verifymode === 13) return "QR code";
  return MODES[mode] ?? `Mode ${mode}`;
}

export function inoutLabel(inout: number): string {
  if (inout === 0) return "In";
  if (inout === 1) return "Out";
  return `Turnstile ${inout}`;
}

/** Why the server refused a punch at the door (attendance.refused, a decision's reason): the message the unit showed. */
export function refusedLabel(reason: string): string {
  return (MESSAGES as Record<string, string | undefined>)[reason] ?? reason;
}

/** A punch's `event` (PROTOCOL.md §3): 0 is a plain punch, 1–4 the function keys F1–F4. */
export function punchEventLabel(event: number): string {
  if (event === 0) return "";
  if (event >= 1 && event <= 4) return `F${event}`;
  return `Event ${event}`;
}

const DOOR_EVENTS: Record<number, string> = {
  0: "Door closed",
  1: "Door opened",
  2: "Exit button",
  3: "Opened by software",
  4: "Closed by software",
  5: "Forced open",
  6: "Tamper",
  7: "Input alarm",
};

export function doorEventLabel(event: number): string {
  return DOOR_EVENTS[event] ?? `Event ${event}`;
}

/** Door events that need someone's attention are shown in the alert colour. */
export function doorEventIsAlarm(event: number): boolean {
  return DOOR_ALARM_EVENTS.includes(event);
}

export function credentialLabel(backupnum: number): string {
  if (backupnum >= 0 && backupnum <= 9) return `Fingerprint ${backupnum + 1}`;
  if (backupnum === 10) return "PIN";
  if (backupnum === 11) return "Card";
  if (backupnum >= 20 && backupnum <= 27) return "Face";
  if (backupnum >= 30 && backupnum <= 37) return "Palm";
  if (backupnum === 50) return "Photo";
  return `Credential ${backupnum}`;
}
