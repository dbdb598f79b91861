/** Records and ops the contract cases build (shared by the engines' own test files). */
import { SiteClock } from "../../src/protocol/time.ts";
import type { Punch, WriteOp } from "../../src/store/contract.ts";

const clock = new SiteClock("UTC");
export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

export function punch(enrollid: number, time: string, extra: Partial<Punch> = {}): Punch {
  return { enrollid, time, ts: clock.toUtc(time), mode: 1, inout: 0, event: 0, ...extra };
}

export const punchesOp = (sn: string, punches: Punch[], quarantine: Extract<WriteOp, { type: "punches" }>["quarantine"] = [], at = T0): WriteOp => ({
  type: "punches",
  sn,
  at,
  punches,
  quarantine,
});

export const ok = (inserted: number, duplicates = 0, quarantined = 0) => ({ ok: true, inserted, duplicates, quarantined });

/** A person change from terminal SN1's keypad, on a site that accepts keypad enrolments. */
export const credentialOp = (enrollid: number, backupnum: number, data: string, extra: Partial<Extract<WriteOp, { type: "credential" }>> = {}): WriteOp => ({
  type: "credential",
  sn: "SN1",
  at: T0,
  enrollid,
  name: "Ben",
  admin: 0,
  backupnum,
  data,
  remoteAddr: "10.0.0.5",
  via: "senduser",
  enrolment: "accept",
  ...extra,
});
