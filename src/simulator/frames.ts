/**
 * What a simulated terminal sends of its own accord: its `reg` and its log records, as a TM20
 * writes them (PROTOCOL.md §2, §3).
 */
import { formatWallClock } from "../protocol/index.ts";
import type { SimDevice } from "./device.ts";

export interface SimRecord {
  enrollid: number;
  time: string;
  mode: number;
  inout: number;
  event: number;
}

export function simRecord(k: number, start: Date): SimRecord {
  const t = new Date(start.getTime() + k * 1000);
  return {
    enrollid: 1 + (k % 500),
    time: formatWallClock({
      year: t.getUTCFullYear(),
      month: t.getUTCMonth() + 1,
      day: t.getUTCDate(),
      hour: t.getUTCHours(),
      minute: t.getUTCMinutes(),
      second: t.getUTCSeconds(),
    }),
    mode: 1,
    inout: k % 2,
    event: 0,
  };
}

/** Records `from` to `to` (exclusive) of a terminal whose record 0 is at `start`. */
export function simRecords(from: number, to: number, start: Date): SimRecord[] {
  const records: SimRecord[] = [];
  for (let k = from; k < to; k++) records.push(simRecord(k, start));
  return records;
}

/** Its registration: capacities of a TM20, what it holds now, its clock. `logsSent`: batch records it has sent. */
export function regFrame(sn: string, device: SimDevice, logsSent: number) {
  return {
    cmd: "reg",
    sn,
    cpusn: `CPU${sn}`,
    devinfo: {
      modelname: "tm20-sim", usersize: 3000, fpsize: 3000, cardsize: 3000, pwdsize: 3000, logsize: 100000,
      useduser: device.users.size, usedfp: 0, usedcard: 0, usedpwd: 0, usedlog: logsSent + device.logs.length,
      usednewlog: device.logs.filter((l) => !l.uploaded).length,
      fpalgo: "thbio3.0", firmware: device.firmware, time: device.time(),
      mac: "00-00-00-00-00-00",
    },
  };
}
