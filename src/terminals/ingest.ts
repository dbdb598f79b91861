/**
 * Turns a `sendlog` (or a page of `getnewlog`/`getalllog`) into one write: the good records,
 * and each bad one set aside with its raw JSON and the reason. One bad record costs only itself.
 */
import { describeError, parseLogRecord, type SiteClock, sendlogMessage, senduserMessage } from "../protocol/index.ts";
import type { KeypadEnrolment } from "../people/terminal-change.ts";
import type { Punch, QuarantineEntry, WriteOp } from "../store/contract.ts";

export interface SplitRecords {
  punches: Punch[];
  quarantine: QuarantineEntry[];
}

export function splitRecords(records: unknown[], rawRecords: unknown[], clock: SiteClock, kind: string): SplitRecords {
  const punches: Punch[] = [];
  const quarantine: QuarantineEntry[] = [];
  records.forEach((record, i) => {
    const parsed = parseLogRecord(record);
    if (!parsed.success) {
      quarantine.push({ kind, raw: JSON.stringify(rawRecords[i] ?? record) ?? "null", reason: `record[${i}] ${describeError(parsed.error)}` });
      return;
    }
    const r = parsed.data;
    const punch: Punch = { enrollid: r.enrollid, time: r.time, ts: clock.toUtc(r.time), mode: r.mode, inout: r.inout, event: r.event };
    if (r.verifymode !== undefined) punch.verifymode = r.verifymode;
    if (r.temp !== undefined) punch.temp = r.temp;
    if (r.image) punch.image = r.image.replace(/^data:[^,]*,/, "");
    if (r.note && Object.keys(r.note).length > 0) punch.scannedCode = true;
    punches.push(punch);
  });
  return { punches, quarantine };
}

/** A terminal's upload as one write; `problem` is what to log about it (records set aside, or the whole frame quarantined). */
export interface Upload<Op extends WriteOp = WriteOp> {
  op: Op;
  problem: { msg: string; fields: Record<string, unknown> } | null;
}

/** A `sendlog` frame: its readable records as punches, the others quarantined; a frame with nothing readable kept whole. */
export function sendlogUpload(sn: string, body: Record<string, unknown>, raw: Record<string, unknown>, clock: SiteClock, at: number): Upload {
  const parsed = sendlogMessage.safeParse(body);
  if (!parsed.success) {
    // Nothing in it can be read as records; keep the whole frame for the admin to see.
    const reason = describeError(parsed.error);
    return { op: { type: "quarantine", sn, at, entries: [{ kind: "sendlog", raw: JSON.stringify(raw), reason }] }, problem: { msg: "sendlog quarantined whole", fields: { reason } } };
  }
  const { punches, quarantine } = splitRecords(parsed.data.record, Array.isArray(raw.record) ? raw.record : [], clock, "sendlog");
  const problem = quarantine.length > 0 ? { msg: "records quarantined", fields: { quarantined: quarantine.length, reason: quarantine[0]?.reason } } : null;
  return { op: { type: "punches", sn, at, punches, quarantine }, problem };
}

/** A `senduser` frame: one credential (judged by the write path under the keypad setting), or the frame quarantined. */
export function senduserUpload(
  sn: string, body: Record<string, unknown>, raw: Record<string, unknown>, at: number, from: { remoteAddr: string; enrolment: KeypadEnrolment },
): Upload & { credential: { enrollid: number; backupnum: number } | null } {
  const parsed = senduserMessage.safeParse(body);
  if (!parsed.success) {
    const reason = describeError(parsed.error);
    return { op: { type: "quarantine", sn, at, entries: [{ kind: "senduser", raw: JSON.stringify(raw), reason }] }, problem: { msg: "senduser quarantined", fields: { reason } }, credential: null };
  }
  const m = parsed.data;
  return {
    op: { type: "credential", sn, at, enrollid: m.enrollid, name: m.name, admin: m.admin, backupnum: m.backupnum, data: m.record, remoteAddr: from.remoteAddr, via: "senduser", enrolment: from.enrolment },
    problem: null,
    credential: { enrollid: m.enrollid, backupnum: m.backupnum },
  };
}
