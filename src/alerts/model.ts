/**
 * What an alert is, and the facts the site's alerts are derived from (alerts/derive.ts decides,
 * alerts/source.ts gathers the facts): kinds, levels and the thresholds that make a condition an
 * alert.
 */
export const ALERT_KINDS = [
  "store_failing",
  "terminal_offline",
  "terminal_pending",
  "hardware_mismatch",
  "clock_drift",
  "storage_nearly_full",
  "webhook_failing",
  "export_lagging",
  "door_forced_open",
  "door_held_open",
  "tamper",
  "input_alarm",
  "refused_punches",
  "quarantine_spike",
  "held_changes",
  "access_not_fit",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The kinds a terminal's own row raises (the rest come from clocks, doors, punches and the like). */
export const TERMINAL_KINDS = ["terminal_pending", "hardware_mismatch", "terminal_offline", "storage_nearly_full"] as const satisfies readonly AlertKind[];
export type TerminalKind = (typeof TERMINAL_KINDS)[number];

export type AlertLevel = "warn" | "error";

export interface Alert {
  /** Stable while the condition lasts: kind and subject (`terminal_offline:SN1`; a summary is `terminal_offline:*`). */
  id: string;
  kind: AlertKind;
  level: AlertLevel;
  /** What it is about: `terminal:<sn>`, `webhook:<id>`, `export`, `store`, `quarantine`, or `terminals` for a summary. */
  subject: string;
  /** When the condition began (as far as the state tells; epoch ms). */
  since: number;
  /** One line a person understands. */
  title: string;
  /** The detail: what is wrong and what to look at. */
  message: string;
  /** Where in the admin UI to act on it. */
  href: string;
  /** How many things it covers: 1, or the size of a summary. */
  count: number;
}

export interface TerminalFacts {
  sn: string;
  name: string | null;
  approval: "approved" | "pending" | "blocked";
  online: boolean;
  firstSeen: number;
  lastSeen: number;
  userSize: number | null;
  userUsed: number | null;
  fpSize: number | null;
  fpUsed: number | null;
  cardSize: number | null;
  cardUsed: number | null;
  faceSize: number | null;
  faceUsed: number | null;
  logSize: number | null;
  logUsed: number | null;
  /** The latest registration under this sn with other hardware (cpusn/MAC), until an admin accepts it: when, from where, what. */
  mismatchAt: number | null;
  mismatchAddr: string | null;
  mismatchCpusn: string | null;
  mismatchMac: string | null;
}

export interface ClockFacts {
  sn: string;
  /** Terminal minus site clock at the last measurement. */
  driftSeconds: number;
  checkedAt: number;
}

export interface WebhookFacts {
  id: number;
  name: string;
  enabled: boolean;
  /** Consecutive failed attempts of the batch at the head of its outbox (0: delivering). */
  attempts: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSuccessAt: number | null;
  createdAt: number;
  /** Records waiting in its outbox. */
  backlog: number;
}

export interface DoorEventFacts {
  sn: string;
  /** PROTOCOL.md §7.6: 0 closed, 1 opened, 5 forced open, 6 tamper, 7 input alarm. */
  event: number;
  /** The event's instant (UTC epoch ms). */
  ts: number;
}

export interface AlertState {
  now: number;
  limits: {
    /** An approved terminal away this long is offline (site setting). */
    offlineMinutes: number;
    /** A clock off by more than this is wrong (site setting). */
    driftSeconds: number;
  };
  /**
   * The terminals the alerts name, in sn order (bytewise): at least the first `SUMMARY_NAMES` of each
   * terminal kind by its `since`, then sn (all of a kind of at most that many), and every terminal the
   * clocks, door events and refused punches below name. Not every terminal: 20,000 of them are not
   * read every 2 s for a summary line.
   */
  terminals: TerminalFacts[];
  /** How many terminals are in each terminal kind's condition (`terminals` holds only the first few). */
  terminalCounts: Record<TerminalKind, number>;
  /** The terminals' latest clock measurements: at least every one off by more than `limits.driftSeconds`. */
  clocks: ClockFacts[];
  webhooks: WebhookFacts[];
  /** The continuous PostgreSQL export, when configured. */
  exporter: { failingSince: number | null; lastError: string | null; backlog: number } | null;
  /** Door alarms (5, 6, 7) of the last `DOOR_ALARM_WINDOW_MS`. */
  doorAlarms: DoorEventFacts[];
  /** Door opened/closed events (0, 1) of the last day, newest first. */
  doorStates: DoorEventFacts[];
  /** Punches the server refused at a door (issue 16) in the last `REFUSED_WINDOW_MS`: terminal and instant. */
  refusedPunches: Array<{ sn: string; ts: number }>;
  quarantinedLastHour: number;
  /** Person changes from terminals waiting for an admin (store/held-changes.ts): how many, since when. */
  heldChanges: { count: number; oldestAt: number | null };
  /** Terminals the access rules do not fit (the sync sent them nothing): the refusal, naming each rule. */
  accessNotFit: Array<{ sn: string; message: string; since: number }>;
  /** Store writes failing (terminals get result:false), or the store opened read-only. */
  store: { failingSince: number; error: string } | null;
}

/** A door alarm is an alert for this long after the event (it has no "ended" event of its own). */
export const DOOR_ALARM_WINDOW_MS = 3_600_000;
/** A door whose sensor said "opened" and nothing since, this long ago, is held open. */
export const DOOR_HELD_OPEN_MS = 5 * 60_000;
/** Door opened/closed events looked at for "held open". */
export const DOOR_STATE_WINDOW_MS = 86_400_000;
/** This many punches refused at one terminal within `REFUSED_WINDOW_MS` are an alarm: someone trying a door. */
export const REFUSED_RATE = 5;
export const REFUSED_WINDOW_MS = 10 * 60_000;
/** Records quarantined in the last hour that make a spike. */
export const QUARANTINE_SPIKE = 10;
/** A terminal store (logs, users, cards, fingerprints, faces) this full is nearly full. */
export const NEARLY_FULL = 0.9;
/** More alerts of one kind than this become one summary line. */
export const SUMMARY_AFTER = 3;
/** Alerts a summary's message names before "and N more" (the oldest). */
export const SUMMARY_NAMES = 5;
