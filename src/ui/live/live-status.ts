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
/** How long a terminal's name is shown as read (a renamed terminal shows its new name in the feed within this). */
const NAMES_MS = 30_000;

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
    const today = clock.format(now).slice(0, 10);
    // Counts, not rows: at 20,000 terminals the snapshot stays a few numbers (the store's online state covers a cluster's every instance).
    const [counts, punchesToday, quarantined24h, current] = await Promise.all([
      store.terminalCounts(),
      store.admin.countAttendanceFrom(`${today} 00:00:00`),
      store.admin.quarantinedSince(now - DAY_MS),
      this.#d.alerts.current(),
    ]);
    return {
      terminalsTotal: counts.online + counts.offline + counts.pending + counts.blocked,
      online: counts.online,
      offline: counts.offline,
      pending: counts.pending,
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

  /** Names of the rows' terminals: those not named within the last 30 s are read, and only those. */
  async #terminalNames(rows: AttendanceRow[]): Promise<Map<string, string>> {
    const now = this.#d.now();
    if (!this.#names || now - this.#names.at >= NAMES_MS) this.#names = { at: now, terminals: new Map() };
    const known = this.#names.terminals;
    const missing = [...new Set(rows.map((r) => r.sn))].filter((sn) => !known.has(sn));
    if (missing.length > 0) {
      const found = await this.#d.store.terminalsPage({ sns: missing, limit: missing.length });
      for (const t of found.items) known.set(t.sn, t.name || t.sn);
    }
    return known;
  }
}
