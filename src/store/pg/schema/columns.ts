/** The column kinds every PostgreSQL table uses where SQLite has a plain integer. */
import { bigint, bigserial } from "drizzle-orm/pg-core";

/** A time in UTC ms (or a count that outgrows an int), read as a number like SQLite's. */
export const ms = (name: string) => bigint(name, { mode: "number" });
/** A row id the database assigns. */
export const id = (name: string) => bigserial(name, { mode: "number" });
