/**
 * Push and group sync: brings terminals to hold people exactly as the server does, sending only
 * what each terminal lacks (per-terminal holdings, and commands already queued count as sent).
 * In a group with sync on, the members hold the union of the group's people: an enrolment on
 * one member's keypad reaches the others, and a terminal added to the group receives everyone.
 * A change a terminal sends that is held for an admin (store/held-changes.ts) reaches no one
 * until it is approved.
 * A person without credentials is sent by name alone (`setusername`) where the terminal takes
 * it: a terminal that refuses it once is not asked again while it runs that firmware (kept in the
 * store: people/holdings.ts), and the people it could not take are named in the job.
 */
import type { Logger } from "pino";
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import type { Credential, GroupWithMembers } from "../store/commands-contract.ts";
import type { JobRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";
import type { PersonRow } from "../store/schema.ts";
import { credentialDigest } from "./digest.ts";
import type { JobKind, Jobs } from "./jobs.ts";
import { commandKeys, heldPeople, nameKey, planPerson, terminalView } from "./plan.ts";

/** How many of the people without a credential a job names (the count says how many there are). */
const LISTED = 50;
/** Names a `setusername` frame carries at most (PROTOCOL.md §4). */
const NAMES_PER_FRAME = 50;

export interface SyncDeps {
  store: Store;
  dispatcher: CommandDispatcher;
  jobs: Jobs;
  log: Logger;
  now: () => number;
}

export class PeopleSync {
  #d: SyncDeps;

  constructor(deps: SyncDeps) {
    this.#d = deps;
  }

  /**
   * Pushes people (everyone when `enrollids` is undefined) to terminals as one job. A listed
   * person who no longer exists on the server is deleted from the terminals holding them.
   */
  async push(kind: JobKind, target: string, enrollids: number[] | undefined, sns: string[], actor: string) {
    const { store, dispatcher } = this.#d;
    const people = new Map<number, PersonRow>((await store.people.all()).map((p) => [p.enrollid, p]));
    const ids = enrollids ?? [...people.keys()];
    const credentials = new Map<number, Credential[]>();
    for (const c of await store.people.credentials(enrollids)) {
      const list = credentials.get(c.enrollid);
      if (list) list.push(c);
      else credentials.set(c.enrollid, [c]);
    }
    const commands: Array<{ sn: string; command: string; params: Record<string, unknown> }> = [];
    const unsent = new Set<number>();
    const refusing: string[] = [];
    const takesNoNames = new Set(await store.people.namesRefused());
    for (const sn of [...new Set(sns)]) {
      // Open commands first: one answered meanwhile is then either still open (the dispatcher counts
      // it until its follow-ups are stored) or already in the holdings read after.
      const open = new Set((await dispatcher.open(sn)).flatMap((c) => commandKeys(c.command, JSON.parse(c.params) as Record<string, unknown>)));
      const view = terminalView(await store.people.holdings(sn));
      const names: Array<{ enrollid: number; name: string }> = [];
      let refusesHere = false;
      for (const id of ids) {
        const plan = planPerson(id, people.get(id) ?? null, credentials.get(id) ?? [], view);
        for (const planned of plan.commands) {
          const [key = ""] = commandKeys(planned.command, planned.params);
          if (open.has(key)) continue;
          open.add(key);
          commands.push({ sn, ...planned });
        }
        if (plan.name === undefined) continue;
        if (takesNoNames.has(sn)) {
          unsent.add(id);
          refusesHere = true;
        } else if (!open.has(nameKey(id, plan.name))) {
          open.add(nameKey(id, plan.name));
          names.push({ enrollid: id, name: plan.name });
        }
      }
      if (refusesHere) refusing.push(sn);
      for (let i = 0; i < names.length; i += NAMES_PER_FRAME) commands.push({ sn, command: "setusername", params: { record: names.slice(i, i + NAMES_PER_FRAME) } });
    }
    const params = { enrollids: enrollids ?? "all", terminals: sns };
    const without = [...unsent].sort((a, b) => a - b);
    // Said in the job, so a push of someone a terminal cannot hold is not "succeeded, 0 of 0".
    const detail = without.length > 0 ? { withoutCredential: { count: without.length, enrollids: without.slice(0, LISTED), terminals: refusing.slice(0, LISTED) } } : undefined;
    return this.#d.jobs.create(kind, target, params, actor, commands, detail);
  }

  /** Every member of the group gets every person any member holds. */
  async resyncGroup(group: GroupWithMembers, actor: string) {
    const people = await this.#groupPeople(group.members);
    return this.push("resync", `group:${group.id}`, people, group.members, actor);
  }

  /** A terminal joined a synced group: it receives the group's people. */
  async memberAdded(group: GroupWithMembers, sn: string, actor: string) {
    if (!group.sync) return null;
    const people = await this.#groupPeople(group.members.filter((m) => m !== sn));
    return this.push("sync", `group:${group.id}`, people, [sn], actor);
  }

  /**
   * A credential arrived from a terminal's keypad (`senduser`, already committed): the terminal
   * holds it, and the other members of its synced groups get it.
   */
  async credentialReceived(sn: string, enrollid: number, backupnum: number) {
    await this.#adopted(sn, enrollid, backupnum, [], "system");
  }

  /**
   * An admin approved a change a terminal sent (held until then): that terminal holds it, and the
   * person's other holders and the other members of its synced groups get it (the job, null when
   * there is no one to send it to).
   */
  async heldApproved(sn: string, enrollid: number, backupnum: number, actor: string): Promise<JobRow | null> {
    return this.#adopted(sn, enrollid, backupnum, await this.#d.store.people.holdersOf(enrollid), actor);
  }

  async #adopted(sn: string, enrollid: number, backupnum: number, holders: string[], actor: string): Promise<JobRow | null> {
    const { store } = this.#d;
    const person = await store.getPerson(enrollid);
    const credential = (await store.people.credentials([enrollid])).find((c) => c.backupnum === backupnum);
    if (!person || !credential) return null;
    await store.people.hold(sn, { enrollid, backupnum, digest: credentialDigest(person.name, person.admin, credential.data) }, this.#d.now());
    const targets = new Set<string>(holders);
    for (const g of await store.people.groupsOf(sn)) {
      if (!g.sync) continue;
      for (const member of (await store.people.getGroup(g.id))?.members ?? []) targets.add(member);
    }
    targets.delete(sn);
    return targets.size > 0 ? this.push("sync", `person:${enrollid}`, [enrollid], [...targets], actor) : null;
  }

  async #groupPeople(members: string[]): Promise<number[]> {
    const existing = new Set((await this.#d.store.people.all()).map((p) => p.enrollid));
    const ids = new Set<number>();
    for (const sn of members) for (const id of heldPeople(terminalView(await this.#d.store.people.holdings(sn)))) if (existing.has(id)) ids.add(id);
    return [...ids].sort((a, b) => a - b);
  }
}
