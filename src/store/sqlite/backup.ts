/**
 * Online backup and restore of the SQLite store. A backup is `VACUUM INTO` from a read-only
 * connection: it reads one WAL snapshot, so it is consistent while terminals keep uploading, and
 * never takes the write lock. Every file we produce or accept is checked with integrity_check.
 */
import { Database } from "bun:sqlite";
import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { storeError } from "../errors.ts";
import { migrations } from "../migrations/index.ts";

export interface StoreFileInfo {
  migrations: string[];
  attendance: number;
  bytes: number;
}

/**
 * Checks that `file` is a sound TM20 store this version can open; throws an AppError saying why
 * not, its message led by `context` (what was being done).
 */
export function verifyStoreFile(file: string, context = ""): StoreFileInfo {
  if (!existsSync(file)) throw storeError("not_found", `${context}${file} does not exist`);
  let db: Database;
  try {
    db = new Database(file, { readonly: true });
  } catch (err) {
    throw storeError("not_a_store", `${context}${file} cannot be opened as SQLite`, err);
  }
  try {
    let integrity: string[];
    try {
      integrity = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all().map((r) => r.integrity_check);
    } catch (err) {
      throw storeError("not_a_store", `${context}${file} is not a SQLite database`, err);
    }
    if (integrity.join() !== "ok") throw storeError("corrupt", `${context}${file} fails integrity_check: ${integrity.slice(0, 3).join("; ")}`);
    const hasTable = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").get();
    if (!hasTable) throw storeError("not_a_store", `${context}${file} is not a TM20 store (no _migrations table)`);
    const applied = db.query<{ name: string }, []>("SELECT name FROM _migrations ORDER BY name").all().map((r) => r.name);
    const known = new Set(migrations.map((m) => m.name));
    const unknown = applied.filter((n) => !known.has(n));
    if (unknown.length > 0) throw storeError("newer_store", `${context}${file} comes from a newer TM20 Server (migrations ${unknown.join(", ")})`);
    const attendance = db.query<{ n: number }, []>("SELECT count(*) AS n FROM attendance").get()?.n ?? 0;
    const bytes = Bun.file(file).size;
    return { migrations: applied, attendance, bytes };
  } finally {
    db.close();
  }
}

/** Copies the store at `dbFile` to `outFile` (which must not exist), consistent and verified. */
export function backupStore(dbFile: string, outFile: string): StoreFileInfo {
  if (!existsSync(dbFile)) throw storeError("not_found", `no store at ${dbFile}`);
  if (existsSync(outFile)) throw storeError("exists", `${outFile} already exists; choose another name`);
  // Written beside the target and renamed once verified: a half-written backup never has the real name.
  const partial = `${outFile}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(dbFile, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    db.query("VACUUM INTO ?").run(partial);
  } catch (err) {
    rmSync(partial, { force: true });
    throw storeError("backup_failed", `backup of ${dbFile} failed`, err);
  } finally {
    db.close();
  }
  try {
    fsyncFile(partial);
    const info = verifyStoreFile(partial);
    renameSync(partial, outFile);
    fsyncFile(dirname(outFile));
    return info;
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
}

/**
 * Puts `backupFile` in place of the store at `dbFile` (no server may have it open). The store it
 * replaces is kept beside it as `<dbFile>.before-restore-<time>`, its WAL folded in first.
 */
export async function restoreStore(
  backupFile: string,
  dbFile: string,
  now: number,
  /** Bytes copied so far of the backup's size (the CLI's progress line). */
  onProgress?: (done: number, total: number) => void,
): Promise<{ info: StoreFileInfo; previous: string | null }> {
  const info = verifyStoreFile(backupFile, "restore: ");
  const staging = `${dbFile}.restoring`;
  rmSync(staging, { force: true });
  try {
    await copyWithProgress(backupFile, staging, onProgress);
    fsyncFile(staging);
  } catch (err) {
    rmSync(staging, { force: true });
    throw storeError("restore_failed", `could not copy ${backupFile} into the data directory`, err);
  }
  let previous: string | null = null;
  if (existsSync(dbFile)) {
    const old = new Database(dbFile);
    try {
      old.run("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      old.close();
    }
    previous = `${dbFile}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, "-")}`;
    renameSync(dbFile, previous);
  }
  // A WAL left from the old store would be replayed into the restored one: it must go.
  rmSync(`${dbFile}-wal`, { force: true });
  rmSync(`${dbFile}-shm`, { force: true });
  renameSync(staging, dbFile);
  fsyncFile(dirname(dbFile));
  return { info, previous };
}

const COPY_CHUNK = 8 * 1024 * 1024;

/** A plain copy, in chunks so the caller hears how far it got (a store can be gigabytes). */
async function copyWithProgress(from: string, to: string, onProgress?: (done: number, total: number) => void) {
  const total = statSync(from).size;
  const src = openSync(from, "r");
  try {
    const dst = openSync(to, "wx");
    try {
      const buf = Buffer.allocUnsafe(COPY_CHUNK);
      let done = 0;
      onProgress?.(0, total);
      for (;;) {
        const n = readSync(src, buf, 0, COPY_CHUNK, done);
        if (n === 0) break;
        writeSync(dst, buf, 0, n, done);
        done += n;
        onProgress?.(done, total);
        // Lets the progress line's stderr write go out between chunks.
        await Bun.sleep(0);
      }
    } finally {
      closeSync(dst);
    }
  } finally {
    closeSync(src);
  }
}

function fsyncFile(path: string) {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
