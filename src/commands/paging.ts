/**
 * Paged transfers (`getuserlist`, `getnewlog`, `getalllog`), PROTOCOL.md §4: continue while the
 * last page was non-empty and `to < count`; stop on an empty page, `result:false`, a `to` that
 * does not advance, or the safety cap. Log pages take the same durable, de-duplicating path as
 * `sendlog`: the next page is asked for only after this one is committed.
 */
import type { Logger } from "pino";
import type { EventBus } from "../events/bus.ts";
import { pageAnswer, type SiteClock, type UserListEntry, userListEntry } from "../protocol/index.ts";
import type { Writer } from "../store/writer.ts";
import { splitRecords } from "../terminals/ingest.ts";

export interface PagingState {
  command: string;
  pages: number;
  lastTo: number;
  count: number | null;
  received: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  /** getuserlist: one entry per credential, de-duplicated. */
  users: UserListEntry[];
  seen: Set<string>;
  invalid: number;
  stop: string;
}

export interface PageContext {
  sn: string;
  clock: SiteClock;
  writer: Writer;
  bus: EventBus;
  log: Logger;
  now: number;
  pageCap: number;
}

export function startPaging(command: string): PagingState {
  return {
    command, pages: 0, lastTo: -1, count: null, received: 0, inserted: 0, duplicates: 0, quarantined: 0,
    users: [], seen: new Set(), invalid: 0, stop: "",
  };
}

/** Takes one page in; `next` asks for another, `failed` ends the transfer as a failure. */
export async function pageStep(
  state: PagingState,
  body: Record<string, unknown>,
  raw: Record<string, unknown>,
  ctx: PageContext,
): Promise<{ next: boolean; failed?: string }> {
  if (body.result === false) {
    state.stop = `result:false on page ${state.pages + 1}`;
    return state.pages === 0 ? { next: false, failed: `refused by the terminal (reason ${String(body.reason ?? 1)})` } : { next: false };
  }
  const parsed = pageAnswer.safeParse(body);
  if (!parsed.success) {
    state.stop = `unreadable page ${state.pages + 1}`;
    return state.pages === 0 ? { next: false, failed: "unreadable answer" } : { next: false };
  }
  const page = parsed.data;
  state.pages++;
  state.received += page.record.length;
  if (page.count !== undefined) state.count = page.count;
  ctx.log.debug({ sn: ctx.sn, command: state.command, page: state.pages, count: page.count, from: page.from, to: page.to, records: page.record.length }, "page received");

  if (state.command === "getuserlist") {
    for (const entry of page.record) {
      const e = userListEntry.safeParse(entry);
      if (!e.success) {
        state.invalid++;
        continue;
      }
      const key = `${e.data.enrollid}:${e.data.backupnum}`;
      if (state.seen.has(key)) continue;
      state.seen.add(key);
      state.users.push(e.data);
    }
  } else if (page.record.length > 0) {
    const rawRecords = Array.isArray(raw.record) ? raw.record : [];
    const { punches, quarantine } = splitRecords(page.record, rawRecords, ctx.clock, state.command);
    const result = await ctx.writer
      .submit({ type: "punches", sn: ctx.sn, at: ctx.now, punches, quarantine })
      .catch((err: unknown) => ({ ok: false as const, error: err instanceof Error ? err : new Error(String(err)) }));
    if (!result.ok) {
      state.stop = `page ${state.pages} not stored: ${result.error.message}`;
      return { next: false, failed: state.stop };
    }
    state.inserted += result.inserted;
    state.duplicates += result.duplicates;
    state.quarantined += result.quarantined;
    ctx.bus.emit("records-committed", { sn: ctx.sn, inserted: result.inserted, duplicates: result.duplicates, quarantined: result.quarantined });
  }

  if (page.record.length === 0) state.stop = "empty page";
  else if (page.to === undefined || page.count === undefined) state.stop = "page without to/count";
  else if (page.to >= page.count) state.stop = "complete";
  else if (page.to <= state.lastTo) state.stop = `to did not advance (${page.to})`;
  else if (state.pages >= ctx.pageCap) state.stop = `safety cap of ${ctx.pageCap} pages`;
  if (state.stop) {
    if (state.stop !== "complete" && state.stop !== "empty page") {
      ctx.log.warn({ sn: ctx.sn, command: state.command, pages: state.pages, count: page.count, from: page.from, to: page.to, stop: state.stop }, "paged transfer stopped early");
    }
    return { next: false };
  }
  state.lastTo = page.to ?? state.lastTo;
  return { next: true };
}

/** What a finished transfer stores as its answer. */
export function pagingSummary(state: PagingState): Record<string, unknown> {
  const base = { pages: state.pages, count: state.count, received: state.received, stop: state.stop };
  if (state.command === "getuserlist") return { ...base, invalid: state.invalid, users: state.users };
  return { ...base, inserted: state.inserted, duplicates: state.duplicates, quarantined: state.quarantined };
}
