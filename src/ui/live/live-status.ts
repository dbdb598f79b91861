/**
 * The dashboard's numbers, alerts (the site's alert model, `alerts/source.ts`) and feed rows. A snapshot is shared by every open dashboard
 * for a couple of seconds, so ten browsers cost the store what one does; nothing here scans
 * the attendance table (today's count is a range on the time index).
 */
import type { AttendanceRow } from "../../store/schema.ts";
import type { Alert, FeedRow, LiveStatus } from "../../../web/components/live-types.ts";
import type { UiDeps } from "../env.ts";
import { inoutLabel, refusedLabel, verificationLabel } from "../labels.ts";
import type { IngestRate } from "./ingest-rate.ts";

const CACHE_MS = 2000;
/** After a commit the counts are stale: rebuilt sooner, but still shared by every browser. */
const CACHE_AFTER_COMMIT_MS = 300;
const DAY_MS = 86_400_000;

export class LiveStatusSource {
  #d: UiDeps;
  #rate: IngestRate;
  #cached: { at: number; status: Promise<LiveStatus> } | null = null;
  #names: { at: number; terminals: Map<string, string> } | null = null;
  #committed = false;
  #off: () => void;

  constructor(deps: UiDeps, rate: IngestRate) {
    this.#d = deps;
    this.#rate = rate;
    this.#off = deps.bus.on("records-committed", () => {
      this.#committed = true;
    });
  }

  stop() {
    this.#off();
  }

  status(): Promise<LiveStatus> {
    const now = this.#d.now();
    const maxAge = this.#committed ? CACHE_AFTER_COMMIT_MS : CACHE_MS;
    if (this.#cached && now - this.#cached.at < maxAge) return this.#cached.status;
    this.#committed = false;
    const status = this.#build(now);
    this.#cached = { at: now, status };
    status.catch(() => {
      this.#cached = null;
    });
    return status;
  }

  async #build(now: number): Promise<LiveStatus> {
    const { store, settings } = this.#d;
    const clock = settings.clock;
    const terminals = await store.listTerminals();
    this.#names = { at: now, terminals: new Map(terminals.map((t) => [t.sn, t.name || t.sn])) };
    const approved = terminals.filter((t) => t.approval === "approved");
    // The store's online state, which in a cluster covers the terminals of every instance.
    const online = approved.filter((t) => t.online).length;
    const today = clock.format(now).slice(0, 10);
    const [punchesToday, quarantined24h, current] = await Promise.all([
      store.admin.countAttendanceFrom(`${today} 00:00:00`),
      store.admin.quarantinedSince(now - DAY_MS),
      this.#d.alerts.current(),
    ]);
    return {
      terminalsTotal: terminals.length,
      online,
      offline: approved.length - online,
      pending: terminals.filter((t) => t.approval === "pending").length,
      punchesToday,
      quarantined24h,
      rate: this.#rate.lastHour(),
      rateEndsAt: clock.format(now).slice(11, 16),
      // The site's one alert model: the API and the notifications show the same.
      alerts: current.alerts.map(({ id, level, title, message, href, count }): Alert => ({ id, level, title, message, href, count })),
    };
  }

  /** Feed rows with person and terminal names. */
  async feedRows(rows: AttendanceRow[]): Promise<FeedRow[]> {
    if (rows.length === 0) return [];
    const people = await this.#d.store.admin.peopleLabels(rows.map((r) => r.enrollid));
    const terminals = await this.#terminalNames(rows);
    return rows.map((r) => ({
      id: r.id,
      time: r.time,
      enrollid: r.enrollid,
      name: people.get(r.enrollid)?.name ?? "",
      sn: r.sn,
      terminal: terminals.get(r.sn) ?? r.sn,
      verification: verificationLabel(r.mode, r.verifymode),
      inout: inoutLabel(r.inout),
      ...(r.refused ? { refused: refusedLabel(r.refused) } : {}),
    }));
  }

  async #terminalNames(rows: AttendanceRow[]): Promise<Map<string, string>> {
    const now = this.#d.now();
    const known = this.#names;
    if (known && now - known.at < 30_000 && rows.every((r) => known.terminals.has(r.sn))) return known.terminals;
    const terminals = await this.#d.store.listTerminals();
    this.#names = { at: now, terminals: new Map(terminals.map((t) => [t.sn, t.name || t.sn])) };
    return this.#names.terminals;
  }
}
