/**
 * Turns a `sendlog` (or a page of `getnewlog`/`getalllog`) into one write: the good records,
 * and each bad one set aside with its raw JSON and the reason. One bad record costs only itself.
 */
import { describeError, parseLogRecord, type SiteClock } from "../protocol/index.ts";
import type { Punch, QuarantineEntry } from "../store/contract.ts";

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
    punches.push(punch);
  });
  return { punches, quarantine };
}
