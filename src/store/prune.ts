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
