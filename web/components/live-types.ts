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
}

export interface Alert {
  level: "warn" | "error";
  text: string;
  href: string;
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
