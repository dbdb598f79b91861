/**
 * **Pure**: who is inside the site (issue 16), from punches at the terminals marked as site
 * entrances. Whether a punch goes in or out is time and attendance's reading of that terminal
 * (`roleOf`: entry only, exit only, the terminal's in/out key); a terminal whose punches carry no
 * direction ("pair") toggles: in when the person was outside, out when inside. Refused punches
 * never count (the door stayed shut), nor does a punch older than the person's last one (a late
 * upload cannot change the present), nor a placeholder enrollid (nobody enrolled, PROTOCOL.md
 * §7.5), nor anyone who went in longer ago than `windowMs` (a forgotten badge-out is not someone
 * inside for ever).
 */
import { isPlaceholderEnrollid } from "../protocol/index.ts";
import { roleOf } from "../timesheets/period.ts";
import type { RawPunch, SiteRules } from "../timesheets/types.ts";

/** A punch as time and attendance reads it, and whether the server refused it at the door. */
export interface PresencePunch extends RawPunch {
  /** Why the server refused it at the door; null when it did not. */
  refused: string | null;
}

export interface Inside {
  enrollid: number;
  /** The punch that let them in: when and at which terminal. */
  since: number;
  time: string;
  sn: string;
}

/** A day: longer inside without a punch at an entrance and they no longer count. */
export const PRESENCE_WINDOW_MS = 24 * 3_600_000;

export class PresenceState {
  readonly #inside = new Map<number, Inside>();
  /** Each person's newest counted punch (UTC ms): older ones arriving later are ignored. */
  readonly #last = new Map<number, number>();

  /** Applies one punch at a site entrance; punches must come oldest first to be read as they happened. */
  apply(p: PresencePunch, site: SiteRules): void {
    if (p.refused !== null || p.enrollid === 0 || isPlaceholderEnrollid(p.enrollid)) return;
    const last = this.#last.get(p.enrollid);
    if (last !== undefined && p.ts < last) return;
    this.#last.set(p.enrollid, p.ts);
    const role = roleOf(p, site);
    const inside = this.#inside.get(p.enrollid);
    const goesIn = role === "in" || (role === "any" && inside === undefined);
    if (!goesIn) {
      this.#inside.delete(p.enrollid);
      return;
    }
    // Badging in twice keeps the first entry: they have been inside since then.
    if (!inside) this.#inside.set(p.enrollid, { enrollid: p.enrollid, since: p.ts, time: p.time, sn: p.sn });
  }

  /** Who is inside at `now` (their last punch within the window), longest inside first. */
  inside(now: number, windowMs = PRESENCE_WINDOW_MS): Inside[] {
    return [...this.#inside.values()]
      .filter((i) => now - (this.#last.get(i.enrollid) ?? i.since) <= windowMs)
      .sort((a, b) => a.since - b.since || a.enrollid - b.enrollid);
  }

  /** Forgets people whose last punch is older than the window (bounded memory over months). */
  prune(now: number, windowMs = PRESENCE_WINDOW_MS): void {
    for (const [enrollid, ts] of this.#last) {
      if (now - ts <= windowMs) continue;
      this.#last.delete(enrollid);
      this.#inside.delete(enrollid);
    }
  }
}
