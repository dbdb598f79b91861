/** What the dashboard shows; the server renders it first, then the live island keeps it current over SSE. */
export interface FeedRow {
  /** The attendance rowid: the SSE event id, so a reconnect resumes after it. */
  id: number;
  time: string;
  enrollid: number;
  name: string;
  sn: string;
  terminal: string;
  verification: string;
  inout: string;
  /** Why the server refused it at the door (the unit's message); absent when it did not. */
  refused?: string;
}

/** One line of the site's alert model (src/alerts/model.ts), as the dashboard shows it. */
export interface Alert {
  id: string;
  level: "warn" | "error";
  title: string;
  message: string;
  href: string;
  /** 1, or how many things a summary line covers. */
  count: number;
}

export interface LiveStatus {
  terminalsTotal: number;
  online: number;
  offline: number;
  pending: number;
  punchesToday: number;
  quarantined24h: number;
  /** Records committed per minute over the last hour, oldest first (60 values). */
  rate: number[];
  /** Site-local "HH:MM" of the newest minute. */
  rateEndsAt: string;
  alerts: Alert[];
}

export interface DashboardProps {
  status: LiveStatus;
  feed: FeedRow[];
}
