/**
 * Keeps, per terminal, what it holds: every answer that adds, changes or removes a person on a
 * terminal updates the record, and a credential read back with `getuserinfo` is stored like a
 * keypad enrolment (`senduser`), through the same durable write and the same judgement (a change
 * that escalates is held for an admin: store/held-changes.ts).
 */
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import { userInfoAnswer } from "../protocol/index.ts";
import type { CommandRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";
import type { Writer } from "../store/writer.ts";
import { credentialDigest, NAME_ONLY, nameDigest } from "./digest.ts";
import { refusedByTerminal } from "./jobs.ts";

export interface HoldingsDeps {
  dispatcher: CommandDispatcher;
  store: Store;
  writer: Writer;
  now: () => number;
}

const FINGERS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const paramsOf = (c: CommandRow) => JSON.parse(c.params) as Record<string, unknown>;

/**
 * Records what terminals hold from their answers. A push's `setusername` answered result:false is
 * kept in the store (`refuseNames`): whether a firmware takes name-only users is known only from
 * its answer, and it holds across restarts and cluster instances until the terminal's firmware changes.
 */
export function trackHoldings({ dispatcher, store, writer, now }: HoldingsDeps): void {
  // Before the job hears of it: a push planned once the job is over sends that terminal no names.
  dispatcher.onFinished(async (command) => {
    // A push's names only: an admin's own setusername may rename someone (a job's adds people by name).
    if (command.command === "setusername" && command.jobId !== null && command.status === "failed" && refusedByTerminal(command.answer)) await store.people.refuseNames(command.sn, now());
  });

  dispatcher.handle("getuserinfo", async (command, answer) => {
    const parsed = userInfoAnswer.safeParse(answer);
    if (!parsed.success) throw new Error(`unreadable getuserinfo answer: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const u = parsed.data;
    const at = now();
    // Where the terminal last registered from: the address its answer came from, for the audit log.
    const remoteAddr = (await store.getTerminal(command.sn))?.remoteAddr ?? null;
    // A pull is an admin's request, so the people it brings are added whatever the keypad setting
    // says; what it would change about people the site has is judged like a keypad's change.
    const result = await writer.submit({
      type: "credential", sn: command.sn, at, enrollid: u.enrollid, name: u.name || undefined, admin: u.admin, backupnum: u.backupnum, data: u.record,
      remoteAddr, via: "getuserinfo", enrolment: "accept",
    });
    if (!result.ok) throw result.error;
    // The terminal holds what it answered, applied here or not.
    await store.people.hold(command.sn, { enrollid: u.enrollid, backupnum: u.backupnum, digest: credentialDigest(u.name, u.admin, u.record) }, at);
    // The credential itself lives in the credentials table; the command keeps only its size.
    return { enrollid: u.enrollid, name: u.name, backupnum: u.backupnum, admin: u.admin, recordChars: u.record.length, change: result.terminalChange ?? null };
  });

  dispatcher.handle("setuserinfo", async (command, answer) => {
    const p = paramsOf(command);
    const digest = credentialDigest(String(p.name), Number(p.admin), String(p.record));
    await store.people.hold(command.sn, { enrollid: Number(p.enrollid), backupnum: Number(p.backupnum), digest }, now());
    return answer;
  });

  // result:true: the terminal took the names, so it holds these people by name (a refusal never gets here).
  dispatcher.handle("setusername", async (command, answer) => {
    const records = paramsOf(command).record;
    const at = now();
    for (const r of Array.isArray(records) ? (records as Array<Record<string, unknown>>) : []) {
      await store.people.hold(command.sn, { enrollid: Number(r.enrollid), backupnum: NAME_ONLY, digest: nameDigest(String(r.name)) }, at);
    }
    return answer;
  });

  dispatcher.handle("deleteuser", async (command, answer) => {
    const p = paramsOf(command);
    const backupnum = Number(p.backupnum);
    await store.people.release(command.sn, Number(p.enrollid), backupnum === 13 ? null : backupnum === 12 ? FINGERS : [backupnum]);
    return answer;
  });

  dispatcher.handle("enableuser", async (command, answer) => {
    const p = paramsOf(command);
    await store.people.setHeldEnabled(command.sn, Number(p.enrollid), Number(p.enflag) === 1, now());
    return answer;
  });

  const wiped = async (command: CommandRow, answer: Record<string, unknown>) => {
    await store.people.releaseAll(command.sn);
    return answer;
  };
  dispatcher.handle("cleanuser", wiped);
  dispatcher.handle("initsys", wiped);
}
