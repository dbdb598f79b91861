/**
 * Timesheets → Today: everyone's state now. Pure: rendered by the server (hono/jsx) and again in
 * the browser by the live-today island (hono/jsx/dom) whenever punches arrive.
 */
import { clockOf, hm, presenceOf } from "./timesheet-format.ts";

export interface TodayRow {
  enrollid: number;
  name: string;
  department: string | null;
  /** The result's presence while the day is in progress, else its status. */
  presence: string;
  /** The planned hours, "09:00–17:00"; null without a shift. */
  shift: string | null;
  firstIn: string | null;
  lastOut: string | null;
  lateMinutes: number;
  workedMinutes: number;
  manual: boolean;
}

export interface TodayProps {
  date: string;
  /** Site-local "HH:MM" the rows were computed at. */
  asOf: string;
  rows: TodayRow[];
}

/** The cards at the top: how many are in each state (late people count as in, and as late). */
const CARDS: Array<{ label: string; match: (p: string) => boolean; tone: string }> = [
  { label: "In", match: (p) => p === "in" || p === "late", tone: "ok" },
  { label: "Late", match: (p) => p === "late", tone: "warn" },
  { label: "Not yet in", match: (p) => p === "not_yet_in", tone: "muted" },
  { label: "Absent", match: (p) => p === "absent", tone: "error" },
  { label: "On leave", match: (p) => p === "leave", tone: "info" },
  { label: "Gone out", match: (p) => p === "out", tone: "muted" },
];

/** Who needs a look first: absent and late at the top, rest days at the bottom. */
const ORDER = ["absent", "late", "in", "not_yet_in", "out", "missing_punch", "leave", "holiday", "present", "rest"];
const rank = (p: string) => {
  const i = ORDER.indexOf(p);
  return i === -1 ? ORDER.length : i;
};

export function TodayView({ date, asOf, rows, live }: TodayProps & { live: "connecting" | "live" | "reconnecting" }) {
  const sorted = [...rows].sort((a, b) => rank(a.presence) - rank(b.presence) || a.name.localeCompare(b.name) || a.enrollid - b.enrollid);
  return (
    <div class="today">
      <p class="subtitle">
        {date} · as of {asOf} · <span class={`live-inline live-${live}`} role="status">{live === "live" ? "live" : live === "connecting" ? "connecting…" : "reconnecting…"}</span>
      </p>
      <div class="cards">
        {CARDS.map((c) => (
          <div class="card">
            <span class="card-label">{c.label}</span>
            <span class={`card-value tone-${c.tone}`} data-count={c.label}>
              {rows.filter((r) => c.match(r.presence)).length}
            </span>
          </div>
        ))}
      </div>
      {rows.length === 0 ? (
        <div class="empty">
          <p class="empty-title">Nobody to show today</p>
          <p class="empty-text">People appear here once they are in the people list, in a department, or punch.</p>
        </div>
      ) : (
        <div class="table-wrap">
          <table class="table" aria-label="Today">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Department</th>
                <th scope="col">Now</th>
                <th scope="col">Shift</th>
                <th scope="col">First in</th>
                <th scope="col">Last out</th>
                <th scope="col" class="num">Late</th>
                <th scope="col" class="num">Worked</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => {
                const p = presenceOf(r.presence);
                return (
                  <tr data-enrollid={r.enrollid}>
                    <td>
                      <a href={`/timesheets/people/${r.enrollid}?month=${date.slice(0, 7)}`}>{r.name || `#${r.enrollid}`}</a> <span class="muted">#{r.enrollid}</span>
                    </td>
                    <td>{r.department ?? <span class="muted">—</span>}</td>
                    <td>
                      <span class={`badge badge-${p.tone}`}>{p.label}</span>
                      {r.manual ? <span class="badge badge-info manual-mark">manual</span> : null}
                    </td>
                    <td class="nowrap">{r.shift ?? <span class="muted">—</span>}</td>
                    <td class="nowrap">{clockOf(r.firstIn, date)}</td>
                    <td class="nowrap">{clockOf(r.lastOut, date)}</td>
                    <td class="num">{r.lateMinutes > 0 ? hm(r.lateMinutes) : "—"}</td>
                    <td class="num">{hm(r.workedMinutes)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
