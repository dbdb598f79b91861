/**
 * Progress on long commands (issue 17): the real binary under a pseudo-terminal (util-linux
 * `script`) draws progress lines on stderr and then its summary; in a pipe it prints exactly the
 * summary and no progress at all.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { openStore } from "../../src/store/open.ts";
import { runCli, tm20Binary } from "../helpers/binary.ts";
import { pgScratch } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/server.ts";

setDefaultTimeout(60_000);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const dir = () => {
  const d = tempDir("tm20-progress-");
  dirs.push(d);
  return d;
};

/** Runs the command with stdin, stdout and stderr on a pseudo-terminal; returns what it showed. */
async function onTerminal(args: string[]) {
  const command = [tm20Binary(), ...args].map((a) => `'${a}'`).join(" ");
  const proc = Bun.spawn(["script", "-qfec", command, "/dev/null"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [code, shown] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
  // The terminal turns each "\n" into "\r\n"; progress redraws are a "\r" with no "\n" before it.
  return { code, shown: shown.replaceAll("\r\n", "\n") };
}

/** The progress redraws in what a terminal showed: each "\r…" up to the clear-to-end-of-line. */
const redraws = (shown: string) => [...shown.matchAll(/\r([^\r\n\x1b]*)\x1b\[K/g)].map((m) => m[1]);

const PEOPLE = 400;
const csv = ["Employee ID;Full Name", ...Array.from({ length: PEOPLE }, (_, i) => `E-${i + 1};Person ${i + 1}`)].join("\n");

describe("progress on long commands", () => {
  const a = dir();
  const b = dir();
  const file = join(a, "people.csv");
  writeFileSync(file, csv);

  test("people import: rows applied of total on a terminal, then the summary; in a pipe only the summary", async () => {
    const tty = await onTerminal(["people", "import", file, "--data-dir", a]);
    expect(tty.code).toBe(0);
    const lines = redraws(tty.shown);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^[\d,]+ of 400 rows( · [\d,]+ rows\/s · .+ left)?$/);
    expect(lines.at(-1)).toStartWith("400 of 400 rows");
    expect(tty.shown).toEndWith("\x1b[K\n400 to create, 0 to update, 0 to disable, 0 unchanged, 0 bad lines\nApplied 400 changes.\n");

    // Same file again into another store, in a pipe: nothing but the summary.
    const piped = runCli(["people", "import", file, "--data-dir", b]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
    expect(piped.stdout).toBe("400 to create, 0 to update, 0 to disable, 0 unchanged, 0 bad lines\nApplied 400 changes.\n");
  });

  test("backup and restore: bytes of total on a terminal, then the summary; in a pipe only the summary", async () => {
    const out = join(dir(), "site.db");
    const tty = await onTerminal(["backup", "--data-dir", a, "--out", out]);
    expect(tty.code).toBe(0);
    const lines = redraws(tty.shown);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^[\d.]+ k?M?B of [\d.]+ k?M?B( · [\d.]+ k?M?B\/s · \d+ s left)?$/);
    // Done: the copy's own size of itself.
    expect(lines.at(-1)).toMatch(/^([\d.]+ k?M?B) of \1/);
    expect(tty.shown).toMatch(/\x1b\[K\nBackup written to .*site\.db: \d+ bytes, 0 attendance records, integrity ok\.\n$/);

    const out2 = join(dir(), "site.db");
    const piped = runCli(["backup", "--data-dir", a, "--out", out2]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
    expect(piped.stdout).toMatch(/^Backup written to .*site\.db: \d+ bytes, 0 attendance records, integrity ok\.\n$/);
    // Each run audited once, by the command the admin ran (the terminal's run copies through a worker).
    const audited = new Database(join(a, "tm20.db"), { readonly: true });
    try {
      expect(audited.query("SELECT actor, action FROM audit_log WHERE action = 'backup.download'").all()).toEqual([
        { actor: "cli", action: "backup.download" },
        { actor: "cli", action: "backup.download" },
      ]);
    } finally {
      audited.close();
    }

    const restoreTty = await onTerminal(["restore", out, "--data-dir", dir()]);
    expect(restoreTty.code).toBe(0);
    const restoreLines = redraws(restoreTty.shown);
    expect(restoreLines.length).toBeGreaterThanOrEqual(2);
    expect(restoreLines[0]).toMatch(/^0 B of [\d.]+ k?M?B$/);
    expect(restoreLines.at(-1)).toMatch(/^([\d.]+ k?M?B) of \1/);
    expect(restoreTty.shown).toMatch(/\x1b\[K\nRestored .*site\.db into .*: 0 attendance records, integrity ok\.\n$/);

    const restorePiped = runCli(["restore", out2, "--data-dir", dir()]);
    expect(restorePiped.code).toBe(0);
    expect(restorePiped.stderr).toBe("");
    expect(restorePiped.stdout).toMatch(/^Restored .*site\.db into .*: 0 attendance records, integrity ok\.\n$/);
  });

  test("export: rows exported of the rows behind the cursor on a terminal, then the summary; in a pipe only the summary", async () => {
    const dataDir = dir();
    (await openStore({ kind: "sqlite", dataDir })).close();
    const ROWS = 25_000; // three of the exporter's 10,000-row batches
    const db = new Database(join(dataDir, "tm20.db"));
    const insert = db.query("INSERT INTO attendance (sn, enrollid, time, ts, mode, inout, event, received_at) VALUES ('PRG1', ?, ?, ?, 1, 0, 0, 0)");
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        const ts = Date.UTC(2026, 2, 2) + i * 1000;
        insert.run(1 + (i % 50), new Date(ts).toISOString().slice(0, 19).replace("T", " "), ts);
      }
    })();
    db.close();
    const summary = /^Exported to .* in [\d.]+ s: 25000 attendance rows, 0 door events, 0 terminals, 0 people, 0 templates, 0 departments, 0 daily results\.\n$/;
    const [pg1, pg2] = [pgScratch("progress"), pgScratch("progress")];
    try {
      const tty = await onTerminal(["export", "--data-dir", dataDir, "--pg-url", pg1.url, "--pg-schema", pg1.schema]);
      expect(tty.code).toBe(0);
      const lines = redraws(tty.shown);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const l of lines) expect(l).toMatch(/^(10,000|20,000|25,000) of 25,000 rows( · [\d,]+ rows\/s · .+ left)?$/);
      expect(lines.at(-1)).toStartWith("25,000 of 25,000 rows");
      const last = tty.shown.split("\x1b[K\n").at(-1) ?? "";
      expect(last).toMatch(summary);

      const piped = runCli(["export", "--data-dir", dataDir, "--pg-url", pg2.url, "--pg-schema", pg2.schema]);
      expect(piped.code).toBe(0);
      expect(piped.stderr).toBe("");
      expect(piped.stdout).toMatch(summary);
    } finally {
      await pg1.drop();
      await pg2.drop();
    }
  });
});
