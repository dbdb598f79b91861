/**
 * `AccessLive.decideQr` for visitor passes, in process over a real SQLite store (issue 16): a
 * pass the rules admit spends its use in the store, a pass's answers are not taken from memory
 * (a use spent or a revoke made elsewhere counts at once), passes that ended before
 * `passesEndingFrom` are not in the rules, and a store that cannot count the use refuses with
 * "Try again".
 */
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import pino from "pino";
import { openStore } from "../../src/store/open.ts";
import { AccessLive } from "../../src/terminals/access-live.ts";
import { tempDir } from "../helpers/server.ts";

const T0 = Date.UTC(2026, 2, 10, 12);
const AT = "2026-03-10 12:00:00";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function live(passesEndingFrom?: string) {
  const dataDir = tempDir("tm20-access-live-");
  const store = await openStore({ kind: "sqlite", dataDir });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const access = new AccessLive({ store, log: pino({ level: "silent" }), refreshMs: 60_000, ...(passesEndingFrom ? { passesEndingFrom: () => passesEndingFrom } : {}) });
  const pass = (name: string, validTo: string, uses: number | null) =>
    store.access.createPass({ name, code: `PASS-${name}-0123456789`, validFrom: "2026-03-09 00:00:00", validTo, levelIds: [], terminals: ["GATE", "SIDE"], uses, createdAt: T0, createdBy: "cli" });
  const close = async () => {
    closed = true;
    await store.close();
  };
  return { store, access, pass, close };
}

const outcome = (d: { access: number; message: string }) => [d.access, d.message];

test("uses are the store's: spent once per scan, counted across doors, a revoke in the store refuses before the rules are re-read", async () => {
  const { store, access, pass } = await live();
  const two = await pass("two", "2026-03-10 18:00:00", 2);
  await access.rebuild();
  expect(outcome(await access.decideQr("GATE", two.code, AT, T0))).toEqual([1, "Welcome"]);
  expect(outcome(await access.decideQr("GATE", two.code, AT, T0 + 3_000))).toEqual([1, "Welcome"]);
  expect((await store.access.pass(two.id))?.used).toBe(1);
  expect(outcome(await access.decideQr("SIDE", two.code, AT, T0 + 4_000))).toEqual([1, "Welcome"]);
  expect(outcome(await access.decideQr("GATE", two.code, AT, T0 + 20_000))).toEqual([0, "Pass used up"]);
  // Revoked straight in the store (as another instance would): the rules here still say valid.
  const other = await pass("other", "2026-03-10 18:00:00", null);
  await access.rebuild();
  expect(outcome(await access.decideQr("GATE", other.code, AT, T0))).toEqual([1, "Welcome"]);
  await store.access.revokePass(other.id, T0 + 1_000, "token:elsewhere");
  expect(outcome(await access.decideQr("GATE", other.code, AT, T0 + 2_000))).toEqual([0, "Pass revoked"]);
});

test("passes that ended before passesEndingFrom are not in the rules", async () => {
  const { access, pass } = await live("2026-03-10 00:00:00");
  const old = await pass("old", "2026-03-09 23:59:59", 1);
  const today = await pass("today", "2026-03-10 00:00:00", 1);
  await access.rebuild();
  expect(outcome(await access.decideQr("GATE", old.code, AT, T0))).toEqual([0, "Unknown code"]);
  expect(outcome(await access.decideQr("GATE", today.code, AT, T0))).toEqual([0, "Pass expired"]);
});

test("a store that cannot count the use: refused with Try again, the resend too", async () => {
  const { access, pass, close } = await live();
  const one = await pass("one", "2026-03-10 18:00:00", 1);
  await access.rebuild();
  await close();
  expect(outcome(await access.decideQr("GATE", one.code, AT, T0))).toEqual([0, "Try again"]);
  expect(outcome(await access.decideQr("GATE", one.code, AT, T0 + 3_000))).toEqual([0, "Try again"]);
});
