/**
 * Alerts benchmark: what one look of `AlertSource` (the dashboard's, the API's and the notifier's
 * snapshot, taken every 2 s) costs a site of N terminals (default 20,000, their devinfo stored as a
 * `reg` sends it, every clock measured, one 125 s off), all offline and then all online, on SQLite and on the local
 * PostgreSQL; then online with a busy hour of doors: door events and refused punches naming --doors
 * terminals (default 2,000), which the look reads by serial number.
 * Prints the time per look (median and p95 of --runs), the store reads a look made and the rows they
 * handed back, counted on the store's methods. Seeding is not timed.
 *
 *   bun scripts/bench-alerts.ts [--terminals 20000] [--doors 2000] [--runs 40] [--pg-url postgres://postgres@127.0.0.1:5432/test]
 */
import { SQL } from "bun";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertSource } from "../src/alerts/source.ts";
import { parseArgs } from "../src/cli/args.ts";
import { SiteSettings } from "../src/settings/site-settings.ts";
import type { WriteOp } from "../src/store/contract.ts";
import { dataDirLayout } from "../src/store/data-dir.ts";
import type { OutboundStore } from "../src/store/export-contract.ts";
import { openStore } from "../src/store/open.ts";

const { flags } = parseArgs(process.argv.slice(2), { values: ["--terminals", "--doors", "--runs", "--pg-url"] });
const terminals = Number(flags.get("--terminals") ?? 20_000);
const doors = Number(flags.get("--doors") ?? 2000);
const runs = Number(flags.get("--runs") ?? 40);
const pgUrl = flags.get("--pg-url") ?? "postgres://postgres@127.0.0.1:5432/test";
const T0 = Date.now() - 86_400_000;
const devinfo = { modelname: "AI518", usersize: 3000, userused: 1200, fpsize: 3000, fpused: 900, cardsize: 3000, cardused: 300, logsize: 100_000, logused: 40_000, firmware: "ai518_f34v_2.09", mac: "00-01-A9-00-00-00" };

/** Rows a store read handed back: an array's length, a page's items, the alerts' counts row and terminals. */
function rowsOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === "object") {
    const v = value as { items?: unknown; terminals?: unknown; counts?: unknown };
    if (Array.isArray(v.items)) return v.items.length;
    if (Array.isArray(v.terminals)) return v.terminals.length + (v.counts ? 1 : 0);
  }
  return value === null || value === undefined ? 0 : 1;
}

/** The store with every method (and its aggregates' methods) counting its calls and the rows it returns. */
function counting<T extends object>(target: T, count: { reads: number; rows: number }): T {
  return new Proxy(target, {
    get(t, key) {
      const value = Reflect.get(t, key, t) as unknown;
      if (typeof value === "function") {
        return (...args: unknown[]) => {
          count.reads++;
          const out = (value as (...a: unknown[]) => unknown).apply(t, args);
          return out instanceof Promise ? out.then((r) => ((count.rows += rowsOf(r)), r)) : out;
        };
      }
      return value && typeof value === "object" && typeof key === "string" && !key.startsWith("#") ? counting(value as object, count) : value;
    },
  });
}

/**
 * The door events and refused punches of a busy hour, each of --doors terminals named once: a fifth
 * forced open, half opened and left open (a close, then an open 20 min ago), a tenth with five refused
 * punches (a burst), a fifth with one; all within the looks' windows and their bounds on rows read.
 */
function busyDoors(now: number, format: (ms: number) => string, sn: (i: number) => string): WriteOp[] {
  const door = (ms: number, event: number) => ({ enrollid: 0, time: format(ms), ts: ms, mode: 0, inout: 0, event });
  return Array.from({ length: doors }, (_, i): WriteOp => {
    const punches =
      i < doors / 5 ? [door(now - 120_000, 5)]
      : i < (doors * 7) / 10 ? [door(now - 1_800_000, 0), door(now - 1_200_000, 1)]
      : Array.from({ length: i < (doors * 8) / 10 ? 5 : 1 }, (_, k) => ({ enrollid: 1 + k, time: format(now - 60_000 - k * 1000), ts: now - 60_000 - k * 1000, mode: 1, inout: 0, event: 0, refused: "no_level" }));
    return { type: "punches", sn: sn(i), at: now, punches, quarantine: [] };
  });
}

async function measure(engine: string, store: OutboundStore, mark: (sql: string) => Promise<void>) {
  const sn = (i: number) => `BENCH${String(i).padStart(5, "0")}`;
  for (let from = 0; from < terminals; from += 2000) {
    const ops: WriteOp[] = [];
    for (let i = from; i < Math.min(terminals, from + 2000); i++) ops.push({ type: "terminal-seen", sn: sn(i), at: T0, sessionId: "s", remoteAddr: "10.0.0.5", cpusn: `CPU${i}`, devinfo, approvalIfNew: "approved", online: false });
    await store.write(ops);
  }
  // Every terminal's clock measured, as the server does at each registration: one 125 s off.
  for (let from = 0; from < terminals; from += 2000) {
    const ops: WriteOp[] = [];
    for (let i = from; i < Math.min(terminals, from + 2000); i++) ops.push({ type: "terminal-clock", sn: sn(i), at: Date.now(), driftSeconds: i === 7 ? 125 : i % 3, corrected: false });
    await store.write(ops);
  }
  const settings = await SiteSettings.load(store, { tz: "UTC", approval: "open" });
  const count = { reads: 0, rows: 0 };
  let now = Date.now();
  const source = new AlertSource({ store: counting(store, count), settings, now: () => now, exporter: null, storeHealth: () => null });
  for (const look of ["offline", "online", "online, doors busy"] as const) {
    const online = look !== "offline";
    await mark(`UPDATE terminals SET online = ${online ? "TRUE" : "FALSE"}, last_seen = ${T0}`);
    if (look === "online, doors busy") await store.write(busyDoors(now, settings.clock.format.bind(settings.clock), sn));
    const times: number[] = [];
    let alerts: string[] = [];
    for (let r = 0; r < runs + 3; r++) {
      now += 2001; // past the snapshot's 2 s: every look reads the store
      count.reads = 0;
      count.rows = 0;
      const t = performance.now();
      const snap = await source.current();
      if (r >= 3) times.push(performance.now() - t);
      alerts = snap.alerts.map((a) => `${a.id} (${a.count})`);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1);
    console.log(`${engine}, ${terminals} terminals ${look}, ${runs} looks: median ${at(0.5)} ms, p95 ${at(0.95)} ms, ${count.reads} store reads and ${count.rows} rows per look; alerts: ${alerts.join(", ")}`);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "tm20-bench-alerts-"));
try {
  const store = await openStore({ kind: "sqlite", dataDir, durability: "normal" });
  const db = new Database(dataDirLayout(dataDir).db);
  await measure("SQLite", store, async (q) => void db.run(q));
  db.close();
  await store.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const schema = `bench_alerts_${process.pid}`;
const admin = new SQL(pgUrl, { max: 1 });
try {
  const store = await openStore({ kind: "pg", url: pgUrl, schema });
  await measure("PostgreSQL", store, async (q) => void (await admin.unsafe(`SET search_path TO "${schema}"; ${q}`)));
  await store.close();
} finally {
  await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
}
