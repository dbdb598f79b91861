/**
 * Export benchmark: a backlog of N attendance rows (default 1,000,000) in a fresh data directory,
 * exported by `tm20 export` into a scratch schema of a real PostgreSQL. Prints the time and rate
 * of the export alone (the seeding is not counted), checks the row count, then drops the schema.
 *
 *   bun scripts/bench-export.ts [--rows 1000000] [--pg-url postgres://postgres@127.0.0.1:5432/test]
 */
import { SQL } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "../src/cli/args.ts";
import { openStore } from "../src/store/open.ts";

const { flags } = parseArgs(process.argv.slice(2), { values: ["--rows", "--pg-url"] });
const rows = Number(flags.get("--rows") ?? 1_000_000);
const pgUrl = flags.get("--pg-url") ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `bench_export_${process.pid}`;
const dataDir = mkdtempSync(join(tmpdir(), "tm20-bench-export-"));
const root = resolve(import.meta.dir, "..");

const start = Date.UTC(2026, 0, 1, 6, 0, 0);
const pad = (n: number) => String(n).padStart(2, "0");
const wall = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

console.log(`seeding ${rows} attendance rows into ${dataDir} …`);
const store = await openStore({ kind: "sqlite", dataDir, durability: "normal" });
const CHUNK = 50_000;
for (let from = 0; from < rows; from += CHUNK) {
  const punches = Array.from({ length: Math.min(CHUNK, rows - from) }, (_, i) => {
    const k = from + i;
    // 200 terminals, 5,000 people, one punch per person-second: realistic key spread.
    return { enrollid: 1 + (k % 5000), time: wall(start + Math.floor(k / 200) * 1000), ts: start + k, mode: 1 + (k % 3), inout: k % 2, event: 0 };
  });
  const sn = (k: number) => `BENCH${String(k % 200).padStart(4, "0")}`;
  const bySn = new Map<string, typeof punches>();
  punches.forEach((p, i) => {
    const key = sn(from + i);
    let list = bySn.get(key);
    if (!list) bySn.set(key, (list = []));
    list.push(p);
  });
  await store.write([...bySn].map(([s, list]) => ({ type: "punches" as const, sn: s, at: Date.now(), punches: list, quarantine: [] })));
}
store.close();

const begin = performance.now();
const proc = Bun.spawnSync([process.execPath, "src/main.ts", "export", "--data-dir", dataDir, "--pg-url", pgUrl, "--pg-schema", schema], {
  cwd: root,
  stdout: "pipe",
  stderr: "pipe",
});
const seconds = (performance.now() - begin) / 1000;
const sql = new SQL(pgUrl);
try {
  if (proc.exitCode !== 0) throw new Error(`tm20 export failed: ${proc.stderr.toString()}`);
  console.log(proc.stdout.toString().trim());
  const [count] = (await sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}".attendance`)) as Array<{ n: number }>;
  if (count?.n !== rows) throw new Error(`PostgreSQL holds ${count?.n} rows, expected ${rows}`);
  console.log(`export of ${rows} rows: ${seconds.toFixed(1)} s wall (process start included), ${Math.round(rows / seconds)} rows/s; PostgreSQL count verified`);
} finally {
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await sql.close();
  rmSync(dataDir, { recursive: true, force: true });
}
