/**
 * Retention deletes, as a store offers them (SQLite today; a PostgreSQL store will offer the
 * same). Kept beside, not inside, the Store contract: only the retention job calls it.
 */
export interface PruneCutoffs {
  /** UTC ms: photos received before this go. */
  photosBefore?: number;
  /** UTC ms: quarantined records received before this go. */
  quarantineBefore?: number;
  /** Site-local "YYYY-MM-DD HH:MM:SS": attendance and door events punched before this go. */
  punchesBefore?: string;
  /**
   * Highest row id that may go, per record table: rows past it are not yet delivered to the
   * PostgreSQL export or a webhook destination. Absent: nothing waits for them.
   */
  attendanceUpTo?: number;
  doorEventsUpTo?: number;
}

export interface PruneCounts {
  photos: number;
  quarantine: number;
  attendance: number;
  doorEvents: number;
}

export interface Prunable {
  /** Deletes at most `limit` rows of each kind older than the cutoffs, in one transaction. */
  prune(cutoffs: PruneCutoffs, limit: number): PruneCounts;
}
