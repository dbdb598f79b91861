/** Export to PostgreSQL: the last row id exported per stream, per target database. */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const exportCursors = sqliteTable(
  "export_cursors",
  {
    /** host:port/database#schema of the target (PgTarget.key); a re-created target starts over. */
    target: text("target").notNull(),
    stream: text("stream").notNull(),
    lastId: integer("last_id").notNull(),
    exported: integer("exported").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.stream] })],
);
