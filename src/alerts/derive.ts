/**
 * The site's alerts, derived from state and nothing else: the one source of the dashboard's alert
 * list, `GET /api/v1/alerts` and the notifications, so that they cannot disagree. Pure (no I/O, no
 * clock of its own): `source.ts` gathers the state, this decides. An alert exists exactly while its
 * condition holds, so it clears by itself when the cause is gone (a clock measured right again, a
 * terminal back online, a webhook delivering again). Many alerts of one kind become one line with a
 * count and a link to the list, so 20,000 offline terminals are one alert, not 20,000.
 */
import { ALERT_KINDS, type Alert, type AlertKind, type AlertLevel, type AlertState, type DoorEventFacts, type TerminalFacts, DOOR_ALARM_WINDOW_MS, DOOR_HELD_OPEN_MS, DOOR_STATE_WINDOW_MS, REFUSED_RATE, REFUSED_WINDOW_MS, QUARANTINE_SPIKE, NEARLY_FULL, SUMMARY_AFTER, SUMMARY_NAMES, TERMINAL_KINDS, type TerminalKind } from "./model.ts";

const ORDER: Record<AlertKind, number> = Object.fromEntries(ALERT_KINDS.map((k, i) => [k, i])) as Record<AlertKind, number>;

/** An alert as the API and the webhook `alert` event show it: `since` in ISO 8601. */
export function alertJson(a: Alert) {
  return { id: a.id, kind: a.kind, level: a.level, subject: a.subject, since: new Date(a.since).toISOString(), title: a.title, message: a.message, href: a.href, count: a.count };
}

/** Every current alert, errors first, then by kind and age; kinds with many subjects summarised. */
export function deriveAlerts(s: AlertState): Alert[] {
  const each = [
    ...storeAlerts(s),
    ...terminalAlerts(s),
    ...clockAlerts(s),
    ...webhookAlerts(s),
    ...exportAlerts(s),
    ...doorAlerts(s),
    ...refusedAlerts(s),
    ...quarantineAlerts(s),
    ...heldChangeAlerts(s),
    ...accessAlerts(s),
  ];
  const byKind = new Map<AlertKind, Alert[]>();
  for (const a of each) {
    const list = byKind.get(a.kind);
    if (list) list.push(a);
    else byKind.set(a.kind, [a]);
  }
  const out: Alert[] = [];
  for (const [kind, alerts] of byKind) {
    // A terminal kind's alerts are of the first few terminals only: the count says how many there are.
    const count = isTerminalKind(kind) ? s.terminalCounts[kind] : alerts.length;
    out.push(...(count > SUMMARY_AFTER ? [summarise(kind, alerts, count)] : alerts));
  }
  return out.sort((a, b) => (a.level === b.level ? 0 : a.level === "error" ? -1 : 1) || ORDER[a.kind] - ORDER[b.kind] || a.since - b.since || a.id.localeCompare(b.id));
}

const isTerminalKind = (kind: AlertKind): kind is TerminalKind => (TERMINAL_KINDS as readonly AlertKind[]).includes(kind);

/** A terminal's name for people: its name, else its serial number. */
const label = (t: { sn: string; name: string | null }) => (t.name ? `${t.name} (${t.sn})` : t.sn);
const terminalHref = (sn: string) => `/terminals/${encodeURIComponent(sn)}`;

function alert(kind: AlertKind, level: AlertLevel, subject: string, since: number, title: string, message: string, href: string): Alert {
  return { id: `${kind}:${subject}`, kind, level, subject, since, title, message, href, count: 1 };
}

/** "under a minute", "3 min", "5 h", "2 days": how long, for messages. */
function ago(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes === 0) return "under a minute";
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`;
}

function storeAlerts(s: AlertState): Alert[] {
  if (!s.store) return [];
  return [alert("store_failing", "error", "store", s.store.failingSince, "The store is failing: terminals' uploads are refused", `Records cannot be written (${s.store.error}); terminals keep them and send them again once the store works. Check the disk and the server log.`, "/settings")];
}

/** The terminal kinds a terminal's row is in; the store's `alertTerminals` reads the same rule in SQL. */
export function terminalConditions(t: TerminalFacts, now: number, limits: AlertState["limits"]): TerminalKind[] {
  if (t.approval === "pending") return ["terminal_pending"];
  if (t.approval !== "approved") return [];
  const kinds: TerminalKind[] = [];
  if (t.mismatchAt !== null) kinds.push("hardware_mismatch");
  if (!t.online && now - t.lastSeen > limits.offlineMinutes * 60_000) kinds.push("terminal_offline");
  if (nearlyFull(t).length > 0) kinds.push("storage_nearly_full");
  return kinds;
}

function terminalAlerts(s: AlertState): Alert[] {
  return s.terminals.flatMap((t) => terminalConditions(t, s.now, s.limits).map((kind) => terminalAlert(s, t, kind)));
}

function terminalAlert(s: AlertState, t: TerminalFacts, kind: TerminalKind): Alert {
  const subject = `terminal:${t.sn}`;
  switch (kind) {
    case "terminal_pending":
      return alert(kind, "warn", subject, t.firstSeen, `${label(t)} is waiting for approval`, `A terminal from an unknown serial number connected; approve it to store its records, or block it.`, terminalHref(t.sn));
    case "hardware_mismatch": {
      const at = t.mismatchAt ?? s.now; // never null here: terminalConditions named the mismatch
      return alert(kind, "error", subject, at, `Other hardware registered as ${label(t)}`, `From ${t.mismatchAddr ?? "an unknown address"}, ${ago(s.now - at)} ago (cpusn ${t.mismatchCpusn ?? "not sent"}, MAC ${t.mismatchMac ?? "not sent"}). If the unit was replaced, accept it with "Replaced hardware" on the terminal's page; otherwise something on the network is posing as this terminal.`, terminalHref(t.sn));
    }
    case "terminal_offline":
      return alert(kind, "error", subject, t.lastSeen, `${label(t)} offline for ${ago(s.now - t.lastSeen)}`, `Last seen ${ago(s.now - t.lastSeen)} ago. Punches made meanwhile stay on the terminal until it reconnects; check its power and network.`, terminalHref(t.sn));
    case "storage_nearly_full":
      return alert(kind, "warn", subject, s.now, `${label(t)} is nearly full: ${nearlyFull(t).join(", ")}`, `A full terminal stops storing punches or enrolling people. Free space on it (its logs are already stored here) or move people to another terminal.`, terminalHref(t.sn));
  }
}

function nearlyFull(t: TerminalFacts): string[] {
  const full: string[] = [];
  const check = (what: string, used: number | null, size: number | null) => {
    if (used !== null && size !== null && size > 0 && used / size >= NEARLY_FULL) full.push(`${what} ${used} of ${size}`);
  };
  check("logs", t.logUsed, t.logSize);
  check("users", t.userUsed, t.userSize);
  check("cards", t.cardUsed, t.cardSize);
  check("fingerprints", t.fpUsed, t.fpSize);
  check("faces", t.faceUsed, t.faceSize);
  return full;
}

function clockAlerts(s: AlertState): Alert[] {
  const approved = new Map(s.terminals.filter((t) => t.approval === "approved").map((t) => [t.sn, t]));
  return s.clocks.flatMap((c) => {
    const t = approved.get(c.sn);
    if (!t || Math.abs(c.driftSeconds) <= s.limits.driftSeconds) return [];
    const direction = c.driftSeconds > 0 ? "ahead" : "behind";
    return [alert("clock_drift", "warn", `terminal:${c.sn}`, c.checkedAt, `${label(t)} clock is ${Math.abs(c.driftSeconds)} s ${direction}`, `Measured ${ago(s.now - c.checkedAt)} ago. The server sets a wrong clock by itself and measures it again; if this stays, use Sync time on the terminal page.`, terminalHref(c.sn))];
  });
}

function webhookAlerts(s: AlertState): Alert[] {
  return s.webhooks.flatMap((w) => {
    if (!w.enabled || w.attempts === 0) return [];
    // The failing began after the last success (or creation); the last error is the latest sign of it.
    const since = Math.min(w.lastErrorAt ?? s.now, Math.max(w.lastSuccessAt ?? w.createdAt, w.createdAt));
    return [alert("webhook_failing", "error", `webhook:${w.id}`, since, `Webhook "${w.name}" failing: ${w.backlog} record${w.backlog === 1 ? "" : "s"} waiting`, `${w.attempts} failed attempt${w.attempts === 1 ? "" : "s"} in a row${w.lastError ? `; last error: ${w.lastError}` : ""}. Nothing is lost: the records are sent once the receiver accepts them.`, `/integrations/webhooks/${w.id}`)];
  });
}

function exportAlerts(s: AlertState): Alert[] {
  const e = s.exporter;
  if (!e || e.failingSince === null) return [];
  return [alert("export_lagging", "error", "export", e.failingSince, `PostgreSQL export failing: ${e.backlog} record${e.backlog === 1 ? "" : "s"} behind`, `${e.lastError ?? "The export cannot reach PostgreSQL"}. Records keep being stored here and are exported once it returns.`, "/integrations")];
}

const DOOR_ALARMS: Record<number, { kind: AlertKind; what: string }> = {
  5: { kind: "door_forced_open", what: "door forced open" },
  6: { kind: "tamper", what: "tamper alarm (unit removed from the wall)" },
  7: { kind: "input_alarm", what: "input alarm" },
};

function doorAlerts(s: AlertState): Alert[] {
  const names = new Map(s.terminals.map((t) => [t.sn, t]));
  const named = (sn: string) => label(names.get(sn) ?? { sn, name: null });
  const out: Alert[] = [];
  // One alert per terminal and kind: the first event of the window is `since`, the count in the message.
  const alarms = new Map<string, { kind: AlertKind; what: string; sn: string; first: number; last: number; n: number }>();
  for (const e of s.doorAlarms) {
    const alarm = DOOR_ALARMS[e.event];
    if (!alarm || s.now - e.ts > DOOR_ALARM_WINDOW_MS) continue;
    const key = `${alarm.kind}:${e.sn}`;
    const seen = alarms.get(key);
    if (seen) {
      seen.first = Math.min(seen.first, e.ts);
      seen.last = Math.max(seen.last, e.ts);
      seen.n++;
    } else alarms.set(key, { ...alarm, sn: e.sn, first: e.ts, last: e.ts, n: 1 });
  }
  for (const a of alarms.values()) {
    const times = a.n === 1 ? `${ago(s.now - a.last)} ago` : `${a.n} times, last ${ago(s.now - a.last)} ago`;
    out.push(alert(a.kind, "error", `terminal:${a.sn}`, a.first, `${named(a.sn)}: ${a.what}`, `Reported by the terminal ${times}. Check the door; this alert ends an hour after the last event.`, `/door-events?sn=${encodeURIComponent(a.sn)}`));
  }
  // Held open: the newest opened/closed event of a terminal with a door sensor (it has reported a close) is "opened", long ago.
  const newest = new Map<string, DoorEventFacts>();
  const hasSensor = new Set<string>();
  for (const e of s.doorStates) {
    if (e.event !== 0 && e.event !== 1) continue;
    if (s.now - e.ts > DOOR_STATE_WINDOW_MS) continue;
    if (e.event === 0) hasSensor.add(e.sn);
    const seen = newest.get(e.sn);
    if (!seen || e.ts > seen.ts) newest.set(e.sn, e);
  }
  for (const e of newest.values()) {
    if (e.event !== 1 || !hasSensor.has(e.sn) || s.now - e.ts < DOOR_HELD_OPEN_MS) continue;
    out.push(alert("door_held_open", "error", `terminal:${e.sn}`, e.ts, `${named(e.sn)}: door held open for ${ago(s.now - e.ts)}`, "The door sensor reported the door opened and nothing since. Close the door; the alert ends when the terminal reports it closed.", `/door-events?sn=${encodeURIComponent(e.sn)}`));
  }
  return out;
}

/** A burst of refused punches at a door; it ends when the window holds fewer again. */
function refusedAlerts(s: AlertState): Alert[] {
  const names = new Map(s.terminals.map((t) => [t.sn, t]));
  const bySn = new Map<string, { first: number; n: number }>();
  for (const p of s.refusedPunches) {
    if (s.now - p.ts > REFUSED_WINDOW_MS) continue;
    const seen = bySn.get(p.sn);
    if (seen) {
      seen.first = Math.min(seen.first, p.ts);
      seen.n++;
    } else bySn.set(p.sn, { first: p.ts, n: 1 });
  }
  return [...bySn]
    .filter(([, r]) => r.n >= REFUSED_RATE)
    .map(([sn, r]) =>
      alert(
        "refused_punches", "warn", `terminal:${sn}`, r.first, `${label(names.get(sn) ?? { sn, name: null })}: ${r.n} refused punches in ${REFUSED_WINDOW_MS / 60_000} min`,
        `The server refused ${r.n} punches at this door in the last ${REFUSED_WINDOW_MS / 60_000} minutes (at least ${REFUSED_RATE} make this alert): someone may be trying a door they may not open. The alert ends when fewer are refused.`,
        `/attendance?sn=${encodeURIComponent(sn)}&refused=1`,
      ),
    );
}

function heldChangeAlerts(s: AlertState): Alert[] {
  const { count, oldestAt } = s.heldChanges;
  if (count === 0) return [];
  const title = count === 1 ? "A change from a terminal waits for approval" : `${count} changes from terminals wait for approval`;
  return [alert("held_changes", "warn", "people", oldestAt ?? s.now, title, "A terminal sent a raised admin level, a new PIN, card or template for someone, or an enrolment the site holds. Nothing was applied or sent to other doors: approve it if it was meant, reject it otherwise.", "/people/held")];
}

/** Such a terminal keeps its old tables: its door opens to the rules of before the change. */
function accessAlerts(s: AlertState): Alert[] {
  return s.accessNotFit.map((p) =>
    alert("access_not_fit", "error", `terminal:${p.sn}`, p.since, `The access rules do not fit ${p.sn}`, `${p.message}. Nothing was sent to it: its door still follows the rules it held before. Change the schedules, levels or holidays so that they fit.`, "/access"),
  );
}

function quarantineAlerts(s: AlertState): Alert[] {
  const n = s.quarantinedLastHour;
  if (n < QUARANTINE_SPIKE) return [];
  return [alert("quarantine_spike", "warn", "quarantine", s.now - 3_600_000, `${n} records quarantined in the last hour`, "Terminals sent records the server could not accept (kept in the quarantine with the reason). A terminal with a wrong clock or firmware is the usual cause.", "/quarantine")];
}

const SUMMARY: Record<AlertKind, { title: (n: number) => string; href: string }> = {
  store_failing: { title: (n) => `${n} store failures`, href: "/settings" },
  terminal_offline: { title: (n) => `${n} terminals offline`, href: "/terminals?status=offline" },
  terminal_pending: { title: (n) => `${n} terminals waiting for approval`, href: "/terminals?status=pending" },
  hardware_mismatch: { title: (n) => `Other hardware registered as ${n} terminals`, href: "/terminals" },
  clock_drift: { title: (n) => `${n} terminal clocks are off`, href: "/terminals" },
  storage_nearly_full: { title: (n) => `${n} terminals nearly full`, href: "/terminals" },
  webhook_failing: { title: (n) => `${n} webhooks failing`, href: "/integrations" },
  export_lagging: { title: (n) => `${n} exports failing`, href: "/integrations" },
  door_forced_open: { title: (n) => `Doors forced open on ${n} terminals`, href: "/door-events" },
  door_held_open: { title: (n) => `Doors held open on ${n} terminals`, href: "/door-events" },
  tamper: { title: (n) => `Tamper alarms on ${n} terminals`, href: "/door-events" },
  input_alarm: { title: (n) => `Input alarms on ${n} terminals`, href: "/door-events" },
  refused_punches: { title: (n) => `Bursts of refused punches on ${n} terminals`, href: "/attendance?refused=1" },
  quarantine_spike: { title: (n) => `${n} quarantine spikes`, href: "/quarantine" },
  held_changes: { title: (n) => `${n} held-change alerts`, href: "/people/held" },
  access_not_fit: { title: (n) => `The access rules do not fit ${n} terminals`, href: "/access" },
};

/**
 * One line for `count` alerts of a kind (`alerts` may hold only the first few): the worst level, the
 * oldest `since`, a few names and the rest counted.
 */
function summarise(kind: AlertKind, alerts: Alert[], count: number): Alert {
  const sorted = [...alerts].sort((a, b) => a.since - b.since);
  const shown = sorted.slice(0, SUMMARY_NAMES).map((a) => a.title);
  const more = count - shown.length;
  return {
    id: `${kind}:*`,
    kind,
    level: alerts.some((a) => a.level === "error") ? "error" : "warn",
    subject: "terminals",
    since: sorted[0]?.since ?? 0,
    title: SUMMARY[kind].title(count),
    message: `${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}.`,
    href: SUMMARY[kind].href,
    count,
  };
}
