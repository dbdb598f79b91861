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
  const name = validInput(groupName, input.name);
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
