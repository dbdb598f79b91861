/**
 * The single build entry: `bun run scripts/build.ts` (what `npm run build` and install.sh run).
 * Produces dist/tm20, one self-contained executable. Steps run in order; a failing step stops
 * the build with its output and a non-zero exit.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const outfile = process.env.TM20_BUILD_OUT ?? "dist/tm20";

/**
 * What the binary is compiled from: the program, and the SQLite write thread's worker, which a
 * compiled binary can start only when it is an entry point (src/store/sqlite/write-thread.ts).
 */
export const ENTRY_POINTS = ["src/main.ts", "src/store/sqlite/write-worker.ts"];

/**
 * Bun's default x64 build needs AVX2; appliance CPUs without it die with "Illegal instruction".
 * The baseline build runs everywhere at a small cost in speed, so pick it only when needed.
 */
export function compileTarget(cpuinfo: string | null, arch: string = process.arch): string | null {
  if (arch !== "x64" || cpuinfo === null) return null;
  return /^flags\s*:.*\bavx2\b/m.test(cpuinfo) ? null : "bun-linux-x64-baseline";
}

function run(step: string, argv: string[]) {
  console.log(`build: ${step}`);
  const proc = Bun.spawnSync(argv, { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (proc.exitCode !== 0) {
    console.error(`build: ${step} failed (exit ${proc.exitCode})`);
    process.exit(proc.exitCode ?? 1);
  }
}

if (import.meta.main) {
  // The admin UI's bundle is embedded in the binary as text, so it is built first.
  run("web bundle (web/dist)", [process.execPath, "scripts/build-web.ts"]);

  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : null;
  const target = process.env.TM20_BUILD_TARGET ?? compileTarget(cpuinfo);
  run(`compile ${outfile}${target ? ` (${target})` : ""}`, [
    process.execPath,
    "build",
    "--compile",
    ...(target ? [`--target=${target}`] : []),
    ...ENTRY_POINTS,
    "--outfile",
    outfile,
  ]);
  console.log(`build: done: ${outfile}`);
}
