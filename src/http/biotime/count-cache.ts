/**
 * Counts for BioTime's `count`, asked again on every page a connector follows. A count over the
 * whole attendance table reads all of it (about 90 ms on SQLite and 190 ms on PostgreSQL for
 * 1,000,000 punches); a narrow filter is fast on its index. So each count is kept with the highest
 * row id it covers and brought up to date by counting only the rows added since: ids are given in
 * commit order, so "id > the last one counted" is exactly what is new. A full count again at most
 * every REFRESH_MS corrects for rows the retention job deleted meanwhile.
 */
import type { AttendanceMatch, Store } from "../../store/contract.ts";

export const REFRESH_MS = 60_000;
const MAX_ENTRIES = 256;

interface Entry {
  count: number;
  throughId: number;
  countedAt: number;
}

export class CountCache {
  #entries = new Map<string, Entry>();

  async count(store: Store, match: AttendanceMatch, now: number): Promise<number> {
    const key = JSON.stringify(match);
    const top = (await store.attendanceSlice({}, "-id", 0, 1))[0]?.id ?? 0;
    const hit = this.#entries.get(key);
    let entry: Entry;
    if (hit && now - hit.countedAt < REFRESH_MS && hit.throughId <= top) {
      const added = top > hit.throughId ? await store.countAttendance({ ...match, afterId: hit.throughId, throughId: top }) : 0;
      entry = { count: hit.count + added, throughId: top, countedAt: hit.countedAt };
    } else {
      entry = { count: await store.countAttendance({ ...match, throughId: top }), throughId: top, countedAt: now };
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    return entry.count;
  }
}
