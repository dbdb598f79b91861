/**
 * Terminal groups. In a group with sync on, every member holds the people of every other member;
 * a terminal joining such a group gets them (the job). Audited by the people service.
 */
import { z } from "zod";
import { AppError, notFound } from "../lib/app-error.ts";
import type { GroupWithMembers } from "../store/commands-contract.ts";
import { type Actor, actorId } from "./actor.ts";
import { validInput } from "./input.ts";
import type { PeopleDeps } from "./people.ts";
import { knownTerminal } from "./terminals.ts";

export const groupName = z.string().trim().min(1, "give the group a name").max(100, "use at most 100 characters");
const groupChanges = z.object({ name: groupName.optional(), sync: z.boolean().optional() });

const noSuchGroup = () => notFound("no such group");

async function knownGroup(deps: PeopleDeps, id: number): Promise<GroupWithMembers> {
  const group = await deps.store.people.getGroup(id);
  if (!group) throw noSuchGroup();
  return group;
}

export async function createGroup(deps: PeopleDeps, actor: Actor, input: { name: string; sync: boolean }): Promise<GroupWithMembers> {
  const name = validInput(groupName, input.name, "name");
  const group = await deps.people.createGroup(name, input.sync, actorId(actor));
  if (!group) throw new AppError(409, "exists", `a group named ${name} already exists`);
  return group;
}

export async function updateGroup(deps: PeopleDeps, actor: Actor, id: number, input: { name?: string; sync?: boolean }): Promise<GroupWithMembers> {
  const group = await deps.people.updateGroup(id, validInput(groupChanges, input), actorId(actor));
  if (!group) throw noSuchGroup();
  return group;
}

export async function deleteGroup(deps: PeopleDeps, actor: Actor, id: number): Promise<void> {
  if (!(await deps.people.removeGroup(id, actorId(actor)))) throw noSuchGroup();
}

/** A terminal joins a group; in a synced group it receives the group's people (the job, else null). */
export async function addGroupTerminal(deps: PeopleDeps, actor: Actor, id: number, sn: string) {
  await knownTerminal(deps, sn);
  await knownGroup(deps, id);
  const done = await deps.people.addMember(id, sn, actorId(actor));
  if (!done) throw noSuchGroup();
  return done;
}

export async function removeGroupTerminal(deps: PeopleDeps, actor: Actor, id: number, sn: string): Promise<void> {
  if (!(await deps.people.removeMember(id, sn, actorId(actor)))) throw notFound("the terminal is not in this group");
}

/** Brings every member of a group in line with the group's people (the job). */
export async function resyncGroup(deps: PeopleDeps, actor: Actor, id: number) {
  const group = await knownGroup(deps, id);
  return { group, job: await deps.people.resyncGroup(group, actorId(actor)) };
}

/** A group's members as a whole list (the UI's checkbox list); bounded so one request stays small. */
const memberList = z.array(z.string().trim().min(1, "a terminal's serial number is empty").max(64, "a serial number has at most 64 characters")).max(10_000, "at most 10,000 terminals at once");

/**
 * Makes a group's members exactly `terminals`: the missing ones join (each as addGroupTerminal,
 * with its job in a synced group), the others leave; every change audited. With `among` (a page
 * of the UI's tick list, issue 13) only those terminals are decided: the ticked ones join, the
 * others of `among` leave, the rest of the group stays. Unknown serial numbers fail the whole
 * request before anything changes.
 */
export async function setGroupTerminals(deps: PeopleDeps, actor: Actor, id: number, input: { terminals: string[]; among?: string[] }) {
  const wanted = new Set(validInput(memberList, input.terminals, "terminals"));
  const among = input.among === undefined ? null : new Set(validInput(memberList, input.among, "among"));
  const group = await knownGroup(deps, id);
  const known = new Set((await deps.store.listTerminals()).map((t) => t.sn));
  const unknown = [...wanted].filter((sn) => !known.has(sn));
  if (unknown.length > 0) throw notFound(`no terminal with the serial number ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}`);
  const members = new Set(group.members);
  const added = [...wanted].filter((sn) => !members.has(sn));
  const removed = group.members.filter((sn) => !wanted.has(sn) && (among === null || among.has(sn)));
  const by = actorId(actor);
  const jobs = [];
  for (const sn of added) {
    const done = await deps.people.addMember(id, sn, by);
    if (!done) throw noSuchGroup();
    if (done.job) jobs.push(done.job);
  }
  for (const sn of removed) await deps.people.removeMember(id, sn, by);
  return { group: await knownGroup(deps, id), added, removed, jobs };
}
