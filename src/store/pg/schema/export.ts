/** Migration 0005: export cursors (SQLite: ../../schema/export.ts). */
import { bigint, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { ms } from "./columns.ts";

export const exportCursors = pgTable(
  "export_cursors",
  {
    target: text("target").notNull(),
    stream: text("stream").notNull(),
    lastId: bigint("last_id", { mode: "number" }).notNull(),
    exported: bigint("exported", { mode: "number" }).notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.stream] })],
);
