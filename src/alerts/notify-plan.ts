/**
 * Which alerts to tell people about, and when: pure (the caller hands in the current alerts and
 * the time). An alert is told once it has lasted the quiet period; one that ends before that is
 * never told (a flapping terminal does not spam). A told alert is told resolved once it has been
 * gone for the quiet period too, so one that comes back meanwhile is still the same alert.
 * What it tracks can be saved and handed back (`saved()`, the constructor) so that a restart, or
 * another instance of a cluster taking over, carries on: a told alert still going is not told
 * again, and one that ended meanwhile is told resolved once it has been gone for the quiet period
 * counted from the restart (nobody looked while the server was down).
 * The message text is here as well, one wording for e-mail and for the webhook's `alert` event.
 */
import type { SiteClock } from "../protocol/index.ts";
import type { Alert, AlertKind } from "./model.ts";

interface Tracked {
  alert: Alert;
  firstSeen: number;
  lastSeen: number;
  told: boolean;
}

export interface PlanStep {
  raised: Alert[];
  resolved: Alert[];
}

/** What is kept of a tracked alert across restarts. */
export interface SavedAlert {
  alert: Alert;
  firstSeen: number;
  told: boolean;
}

export class NotificationPlan {
  #tracked = new Map<string, Tracked>();

  /** `saved`: what an earlier plan tracked (its `saved()`), counted as seen at `now`. */
  constructor(saved: readonly SavedAlert[] = [], now = 0) {
    for (const s of saved) this.#tracked.set(s.alert.id, { ...s, lastSeen: now });
  }

  /** The alerts that became due now: raised past the quiet period, resolved past it. */
  step(current: readonly Alert[], now: number, options: { quietMs: number; kinds: ReadonlySet<AlertKind>; notifyResolved: boolean }): PlanStep {
    const raised: Alert[] = [];
    const resolved: Alert[] = [];
    const seen = new Set<string>();
    for (const alert of current) {
      if (!options.kinds.has(alert.kind)) continue;
      seen.add(alert.id);
      const t = this.#tracked.get(alert.id);
      if (t) {
        t.alert = alert;
        t.lastSeen = now;
      } else this.#tracked.set(alert.id, { alert, firstSeen: now, lastSeen: now, told: false });
    }
    for (const [id, t] of this.#tracked) {
      if (seen.has(id)) {
        if (!t.told && now - t.firstSeen >= options.quietMs) {
          t.told = true;
          raised.push(t.alert);
        }
        continue;
      }
      if (!t.told) {
        // Ended (or its kind turned off) before it was told: forgotten.
        this.#tracked.delete(id);
      } else if (now - t.lastSeen >= options.quietMs || !options.kinds.has(t.alert.kind)) {
        this.#tracked.delete(id);
        if (options.notifyResolved && options.kinds.has(t.alert.kind)) resolved.push(t.alert);
      }
    }
    return { raised, resolved };
  }

  saved(): SavedAlert[] {
    return [...this.#tracked.values()].map(({ alert, firstSeen, told }) => ({ alert, firstSeen, told }));
  }

  /** The alerts told and still going (what a daily digest lists). */
  told(): Alert[] {
    return [...this.#tracked.values()].filter((t) => t.told).map((t) => t.alert);
  }
}

export interface Message {
  subject: string;
  text: string;
}

/** Subject and plain text of one message holding several alerts (a digest when `digest`). */
export function composeMessage(site: string, step: PlanStep & { digest?: Alert[] }, o: { clock: SiteClock; linkBase: string }): Message {
  const { raised, resolved } = step;
  const digest = step.digest;
  let subject: string;
  if (digest) subject = `Daily digest: ${digest.length === 0 ? "no alerts" : `${digest.length} current alert${digest.length === 1 ? "" : "s"}`}`;
  else if (raised.length === 1 && resolved.length === 0) subject = raised[0]?.title ?? "";
  else if (raised.length === 0 && resolved.length === 1) subject = `Resolved: ${resolved[0]?.title ?? ""}`;
  else if (resolved.length === 0) subject = `${raised.length} alerts: ${raised[0]?.title ?? ""} and ${raised.length - 1} more`;
  else if (raised.length === 0) subject = `${resolved.length} alerts resolved`;
  else subject = `${raised.length} new alert${raised.length === 1 ? "" : "s"}, ${resolved.length} resolved`;
  const base = o.linkBase.replace(/\/+$/, "");
  const since = (a: Alert) => `${o.clock.format(a.since).slice(0, 16)} (${o.clock.timeZone})`;
  const block = (a: Alert) => [`${a.level === "error" ? "ERROR" : "WARNING"}: ${a.title}`, `  ${a.message}`, `  Since ${since(a)}`, `  ${base}${a.href}`].join("\n");
  const sections: string[] = [];
  if (digest) sections.push(digest.length === 0 ? `No alerts on ${site}.` : `Current alerts on ${site}:\n\n${digest.map(block).join("\n\n")}`);
  if (raised.length > 0) sections.push(`New alert${raised.length === 1 ? "" : "s"} on ${site}:\n\n${raised.map(block).join("\n\n")}`);
  if (resolved.length > 0) sections.push(`Resolved on ${site}:\n\n${resolved.map((a) => `OK: ${a.title}`).join("\n")}`);
  return { subject: `[${site}] ${subject}`, text: `${sections.join("\n\n")}\n\n-- \nTM20 Server. Which alerts notify, and how: Settings → Notifications.\n` };
}
