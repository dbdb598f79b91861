/**
 * The dashboard's numbers, alerts and feed rows. A snapshot is shared by every open dashboard
 * for a couple of seconds, so ten browsers cost the store what one does; nothing here scans
 * the attendance table (today's count is a range on the time index).
 */
import type { AttendanceRow, TerminalRow } from "../../store/schema.ts";
import type { Alert, FeedRow, LiveStatus } from "../../../web/components/live-types.ts";
import type { UiDeps } from "../env.ts";
import { inoutLabel, verificationLabel } from "../labels.ts";
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
    const [punchesToday, quarantined24h, failed, clocks] = await Promise.all([
      store.admin.countAttendanceFrom(`${today} 00:00:00`),
      store.admin.quarantinedSince(now - DAY_MS),
      store.commands.list({ status: ["failed", "timed_out"], limit: 50 }),
      store.commands.clocks(),
    ]);
    const failedToday = failed.items.filter((c) => now - c.updatedAt < DAY_MS);
    const drift = new Map(clocks.map((c) => [c.sn, c.driftSeconds]));
    return {
      terminalsTotal: terminals.length,
      online,
      offline: approved.length - online,
      pending: terminals.filter((t) => t.approval === "pending").length,
      punchesToday,
      quarantined24h,
      rate: this.#rate.lastHour(),
      rateEndsAt: clock.format(now).slice(11, 16),
      alerts: [
        ...this.#alerts(terminals, now, quarantined24h),
        ...failedToday.slice(0, 5).map((c): Alert => ({
          level: "error",
          text: `${c.command} on ${c.sn} ${c.status === "timed_out" ? "timed out" : "failed"}${c.reason ? `: ${c.reason}` : ""}`,
          href: `/terminals/${encodeURIComponent(c.sn)}`,
        })),
        ...approved.flatMap((t): Alert[] => {
          const clock = drift.get(t.sn);
          return clock !== undefined && Math.abs(clock) > settings.values.driftAlertSeconds
            ? [{ level: "warn", text: `${t.name || t.sn} clock is off by ${clock} s`, href: `/terminals/${encodeURIComponent(t.sn)}` }]
            : [];
        }),
      ],
    };
  }

  #alerts(terminals: TerminalRow[], now: number, quarantined24h: number): Alert[] {
    const { settings } = this.#d;
    const alerts: Alert[] = [];
    const limitMs = settings.values.offlineAlertMinutes * 60_000;
    for (const t of terminals) {
      const href = `/terminals/${encodeURIComponent(t.sn)}`;
      if (t.approval === "pending") {
        alerts.push({ level: "warn", text: `${t.sn} is waiting for approval`, href });
      } else if (t.approval === "approved" && !t.online && now - t.lastSeen > limitMs) {
        const minutes = Math.floor((now - t.lastSeen) / 60_000);
        alerts.push({ level: "error", text: `${t.name || t.sn} offline for ${minutes >= 120 ? `${Math.floor(minutes / 60)} h` : `${minutes} min`}`, href });
      }
    }
    if (quarantined24h > 0) {
      alerts.push({ level: "warn", text: `${quarantined24h} record${quarantined24h === 1 ? "" : "s"} quarantined in the last 24 h`, href: "/quarantine" });
    }
    return alerts;
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
