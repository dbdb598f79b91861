/**
 * What a webhook receiver gets. Every record carries an `id` derived from the record's identity
 * (the same fields that make a punch unique in the store), so it is the same on every retry, after
 * a restart and after a dead-letter replay: receivers de-duplicate on it.
 */
import { createHash, createHmac } from "node:crypto";
import { type DoorState, doorEventState } from "../access/door-state.ts";
import { DOOR_ALARM_EVENTS } from "../protocol/index.ts";
import type { AttendanceRow, DoorEventRow } from "../store/schema.ts";

export interface WebhookRecord {
  id: string;
  type: "attendance" | "door_event";
  /** The row id in this server's store: increases in commit order within a type. */
  seq: number;
  sn: string;
  /** 0 for door events. */
  enrollid: number;
  /** Site-local wall clock as the terminal reported it. */
  time: string;
  /** The same instant in UTC (ISO 8601). */
  utc: string;
  mode: number;
  inout: number;
  event: number;
  verifymode: number | null;
  temp: number | null;
  received_at: string;
  /** Attendance: why the server refused the punch at the door (issue 16); null when it did not, and for door events. */
  refused: string | null;
  /** Door events: what the event says of the door (closed, open, forced_open, tamper, input_alarm, unknown); null for attendance. */
  door_state: DoorState | null;
  /** Door events: forced open, tamper or input alarm (PROTOCOL.md §7.6); false for attendance. */
  alarm: boolean;
}

export interface WebhookBody {
  batch_id: string;
  webhook: { id: number; name: string };
  records: WebhookRecord[];
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 32);

export function attendanceRecord(r: AttendanceRow): WebhookRecord {
  return {
    id: `att_${digest(["attendance", r.sn, r.enrollid, r.time, r.mode, r.inout, r.event].join("\u0000"))}`,
    type: "attendance",
    seq: r.id,
    sn: r.sn,
    enrollid: r.enrollid,
    time: r.time,
    utc: new Date(r.ts).toISOString(),
    mode: r.mode,
    inout: r.inout,
    event: r.event,
    verifymode: r.verifymode,
    temp: r.temp,
    received_at: new Date(r.receivedAt).toISOString(),
    refused: r.refused,
    door_state: null,
    alarm: false,
  };
}

export function doorEventRecord(r: DoorEventRow): WebhookRecord {
  return {
    id: `door_${digest(["door_event", r.sn, r.time, r.mode, r.inout, r.event].join("\u0000"))}`,
    type: "door_event",
    seq: r.id,
    sn: r.sn,
    enrollid: 0,
    time: r.time,
    utc: new Date(r.ts).toISOString(),
    mode: r.mode,
    inout: r.inout,
    event: r.event,
    verifymode: null,
    temp: null,
    received_at: new Date(r.receivedAt).toISOString(),
    refused: null,
    door_state: doorEventState(r.event),
    alarm: DOOR_ALARM_EVENTS.includes(r.event),
  };
}

/** Same records for the same destination: same batch id (retries of one batch share it). */
export function batchIdOf(webhookId: number, records: readonly WebhookRecord[]): string {
  return `wh${webhookId}_${digest(records.map((r) => r.id).join(","))}`;
}

/** `X-TM20-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>`. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
