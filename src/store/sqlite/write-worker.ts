/**
 * The write thread's entry point (a Bun Worker; scripts/build.ts compiles it into the binary as
 * a second entry). It owns one write connection and runs the group commit on it, so that a commit,
 * fsync included, never blocks the event loop that reads frames and answers terminals.
 */
import type { WriteOp } from "../contract.ts";
import { openBunSqlite } from "./bun-driver.ts";
import type { SqliteConnection } from "./driver.ts";
import { applyPragmas } from "./pragmas.ts";
import { type FromThread, type ToThread, toWire, type WireResult } from "./write-thread-messages.ts";
import { SqliteWritePath } from "./write-path.ts";

declare const self: Worker;

let conn: SqliteConnection | null = null;
let writes: SqliteWritePath | null = null;

const reply = (message: FromThread) => self.postMessage(message);

function write(id: number, ops: WriteOp[]) {
  if (!writes) return reply({ kind: "failed", id, error: toWire(new Error("write thread not open")) });
  try {
    const results: WireResult[] = writes.write(ops).map((r) => (r.ok ? r : { ok: false, error: toWire(r.error) }));
    reply({ kind: "written", id, results });
  } catch (err) {
    reply({ kind: "failed", id, error: toWire(err) });
  }
}

self.onmessage = (event: MessageEvent<ToThread>) => {
  const m = event.data;
  switch (m.kind) {
    case "open":
      try {
        conn = openBunSqlite(m.file, { readonly: false });
        applyPragmas(conn.db, m.durability, m.busyTimeoutMs);
        writes = new SqliteWritePath(conn);
        reply({ kind: "ready" });
      } catch (err) {
        reply({ kind: "open-failed", error: toWire(err) });
      }
      return;
    case "write":
      return write(m.id, m.ops);
    case "close":
      conn?.close();
      conn = null;
      writes = null;
      return reply({ kind: "closed" });
  }
};
