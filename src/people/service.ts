/**
 * People management: one person per enrollid across the site. Every change is audited and
 * carried to the terminals that hold the person; pulls and log fetches run as jobs.
 */
import type { Logger } from "pino";
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import { userListEntry } from "../protocol/index.ts";
import type { GroupWithMembers, PersonInput } from "../store/commands-contract.ts";
import type { JobRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";
import type { HeldChangeRow } from "../store/schema.ts";
import type { Writer } from "../store/writer.ts";
import { trackHoldings } from "./holdings.ts";
import { Jobs } from "./jobs.ts";
import { PeopleSync } from "./sync.ts";

export interface PeopleDeps {
  store: Store;
  writer: Writer;
  dispatcher: CommandDispatcher;
  log: Logger;
  now: () => number;
  /** After a change of people or terminal groups: the access rules in memory are read again (issue 16). */
  changed?: () => Promise<void>;
}

export interface LogRange {
  from: string;
  to: string;
}

/** Stores a person and audits it, without reaching any terminal (the CLI, with no server running, has none). */
export async function storePerson(d: Pick<PeopleDeps, "store" | "now">, enrollid: number, input: PersonInput, actor: string, action: "create" | "update") {
  const person = await d.store.people.save(enrollid, input, d.now());
  await d.store.audit({ at: d.now(), actor, action: `people.${action}`, target: `person:${enrollid}`, details: { name: input.name, admin: input.admin, enabled: input.enabled }, result: "ok" });
  return person;
}

/** What the audit log says of a held change an admin decided (never the credential's data). */
function heldDetails(h: HeldChangeRow) {
  return { heldId: h.id, sn: h.sn, address: h.remoteAddr, via: h.via, backupnum: h.backupnum, admin: h.admin, previousAdmin: h.previousAdmin, reasons: JSON.parse(h.reasons) as unknown };
}

export class PeopleService {
  readonly jobs: Jobs;
  readonly sync: PeopleSync;
  #d: PeopleDeps;

  constructor(deps: PeopleDeps) {
    this.#d = deps;
    // Holdings are recorded before a job looks at its finished command.
    trackHoldings(deps);
    this.jobs = new Jobs(deps);
    this.sync = new PeopleSync({ ...deps, jobs: this.jobs });
    this.jobs.step("pull", (job, command) => this.#pullStep(job, command.command, command.status === "succeeded" ? command.answer : null));
  }

  start() {
    return this.jobs.start();
  }

  /** `details` null: the entry has none (stored as NULL, not as the text "null"). */
  #audit(actor: string, action: string, target: string, details: unknown, result = "ok") {
    return this.#d.store.audit({ at: this.#d.now(), actor, action, target, ...(details === null ? {} : { details }), result });
  }

  /**
   * Creates or updates a person; terminals holding them are brought up to date (job null when
   * there are none). `deferAccess`: the caller calls `accessChanged()` itself once a batch is
   * saved (an import: the rules are re-read and the doors synced once, not once per person).
   */
  async save(enrollid: number, input: PersonInput, actor: string, action: "create" | "update", options: { deferAccess?: boolean } = {}) {
    const person = await storePerson(this.#d, enrollid, input, actor, action);
    if (!options.deferAccess) await this.#d.changed?.();
    return { person, job: await this.#propagate(enrollid, actor) };
  }

  /** People changed without it (`deferAccess`): the access rules are read again and the doors synced. */
  async accessChanged(): Promise<void> {
    await this.#d.changed?.();
  }

  async remove(enrollid: number, actor: string) {
    const removed = await this.#d.store.people.remove(enrollid);
    if (!removed) return null;
    await this.#d.changed?.();
    await this.#audit(actor, "people.delete", `person:${enrollid}`, null);
    return { job: await this.#propagate(enrollid, actor) };
  }

  async setCredential(enrollid: number, backupnum: number, data: string, actor: string) {
    await this.#d.store.people.setCredential({ enrollid, backupnum, data }, null, this.#d.now());
    // Never the data itself: PINs, card numbers and templates stay out of the audit log.
    await this.#audit(actor, "people.credential.set", `person:${enrollid}`, { backupnum });
    return { job: await this.#propagate(enrollid, actor) };
  }

  async removeCredential(enrollid: number, backupnum: number, actor: string) {
    if (!(await this.#d.store.people.removeCredential(enrollid, backupnum))) return null;
    await this.#audit(actor, "people.credential.delete", `person:${enrollid}`, { backupnum });
    return { job: await this.#propagate(enrollid, actor) };
  }

  /** Applies a change a terminal sent that was held, and carries it to the other doors (the job); null when already decided. */
  async approveHeld(id: number, actor: string) {
    const change = await this.#d.store.people.approveHeldChange(id, this.#d.now());
    if (!change) return null;
    await this.#audit(actor, "people.held.approve", `person:${change.enrollid}`, heldDetails(change));
    return { change, job: await this.sync.heldApproved(change.sn, change.enrollid, change.backupnum, actor) };
  }

  /** Discards a held change; the terminal it came from keeps its own copy. Null when already decided. */
  async rejectHeld(id: number, actor: string) {
    const change = await this.#d.store.people.rejectHeldChange(id);
    if (!change) return null;
    await this.#audit(actor, "people.held.reject", `person:${change.enrollid}`, heldDetails(change));
    return { change };
  }

  async #propagate(enrollid: number, actor: string): Promise<JobRow | null> {
    const holders = await this.#d.store.people.holdersOf(enrollid);
    if (holders.length === 0) return null;
    return this.sync.push("push", `person:${enrollid}`, [enrollid], holders, actor);
  }

  /** Imports everyone from a terminal: the user list page by page, then each credential. */
  pull(sn: string, actor: string) {
    return this.jobs.create("pull", `terminal:${sn}`, { sn }, actor, [{ sn, command: "getuserlist", params: {} }], { stage: "listing users" });
  }

  /** Reads one credential back from a terminal (`getuserinfo`); the answer is stored like a pull's. */
  pullCredential(sn: string, enrollid: number, backupnum: number, actor: string) {
    return this.jobs.create("pull", `person:${enrollid}`, { sn, enrollid, backupnum }, actor, [{ sn, command: "getuserinfo", params: { enrollid, backupnum } }]);
  }

  async #pullStep(job: JobRow, command: string, answer: string | null) {
    if (command !== "getuserlist" || answer === null) return;
    const summary = JSON.parse(answer) as { users?: unknown[]; count?: number | null; stop?: string };
    const users = (summary.users ?? []).flatMap((u) => {
      const e = userListEntry.safeParse(u);
      return e.success ? [e.data] : [];
    });
    const sn = (JSON.parse(job.params) as { sn: string }).sn;
    await this.jobs.note(job, {
      stage: "fetching credentials",
      people: new Set(users.map((u) => u.enrollid)).size,
      credentials: users.length,
      listed: summary.count ?? null,
      listStop: summary.stop ?? null,
    });
    await this.jobs.add(
      job,
      users.map((u) => ({ sn, command: "getuserinfo", params: { enrollid: u.enrollid, backupnum: u.backupnum } })),
    );
  }

  /** Logs the server missed: the unread ones (`getnewlog`), or every log in a date range (`getalllog`). */
  fetchLogs(sn: string, range: LogRange | null, actor: string) {
    const command = range ? { sn, command: "getalllog", params: range } : { sn, command: "getnewlog", params: {} };
    return this.jobs.create("fetch-logs", `terminal:${sn}`, { sn, ...(range ?? {}) }, actor, [command]);
  }

  /** Push people (everyone when `enrollids` is undefined) to terminals. */
  push(enrollids: number[] | undefined, sns: string[], actor: string) {
    const target = enrollids?.length === 1 ? `person:${enrollids[0]}` : `terminals:${sns.join(",")}`;
    return this.sync.push("push", target, enrollids, sns, actor);
  }

  async createGroup(name: string, sync: boolean, actor: string) {
    const group = await this.#d.store.people.createGroup(name, sync, this.#d.now());
    await this.#d.changed?.();
    if (group) await this.#audit(actor, "groups.create", `group:${group.id}`, { name, sync });
    return group;
  }

  async updateGroup(id: number, changes: { name?: string; sync?: boolean }, actor: string) {
    const group = await this.#d.store.people.updateGroup(id, changes, this.#d.now());
    if (group) await this.#audit(actor, "groups.update", `group:${id}`, changes);
    return group;
  }

  async removeGroup(id: number, actor: string) {
    const removed = await this.#d.store.people.removeGroup(id);
    if (removed) await this.#audit(actor, "groups.delete", `group:${id}`, null);
    await this.#d.changed?.();
    return removed;
  }

  /** A terminal joins a group; in a synced group it receives the group's people (the job). */
  async addMember(id: number, sn: string, actor: string) {
    const added = await this.#d.store.people.addMember(id, sn, this.#d.now());
    const group = await this.#d.store.people.getGroup(id);
    if (!group) return null;
    if (added) await this.#audit(actor, "groups.add-terminal", `group:${id}`, { sn });
    await this.#d.changed?.();
    const job = added ? await this.sync.memberAdded(group, sn, actor) : null;
    return { group, job };
  }

  async removeMember(id: number, sn: string, actor: string) {
    const removed = await this.#d.store.people.removeMember(id, sn);
    if (removed) await this.#audit(actor, "groups.remove-terminal", `group:${id}`, { sn });
    await this.#d.changed?.();
    return removed;
  }

  resyncGroup(group: GroupWithMembers, actor: string) {
    return this.sync.resyncGroup(group, actor);
  }
}
