/**
 * Held changes: what a terminal sent that would raise an admin level or replace a credential (or
 * an enrolment the site holds), kept for an admin (store/held-changes.ts decides what is held).
 * Approving applies it and carries it to the other doors; rejecting discards it. Audited by the
 * people service.
 */
import { notFound } from "../lib/app-error.ts";
import { credentialJson } from "../people/mask.ts";
import type { ChangeReason } from "../people/terminal-change.ts";
import type { HeldChangeRow } from "../store/schema.ts";
import { type Actor, actorId } from "./actor.ts";
import { type PeopleDeps, refuseReservedEnrollid } from "./people.ts";

/** A held change as the API and the UI show it: the credential masked, never its data. */
export function heldChangeView(h: HeldChangeRow) {
  return {
    id: h.id,
    at: h.at,
    sn: h.sn,
    address: h.remoteAddr,
    via: h.via,
    enrollid: h.enrollid,
    /** The name the terminal sent; null when it sent none. */
    name: h.name,
    /** The person as the site had them when it arrived; null for a person the site did not know. */
    previousName: h.previousName,
    admin: h.admin,
    previousAdmin: h.previousAdmin,
    credential: credentialJson(h.backupnum, h.data),
    reasons: JSON.parse(h.reasons) as ChangeReason[],
  };
}
export type HeldChangeView = ReturnType<typeof heldChangeView>;

export async function listHeldChanges(deps: Pick<PeopleDeps, "store">, filter: { cursor?: string; limit: number }) {
  const page = await deps.store.people.heldChanges(filter);
  return { items: page.items.map(heldChangeView), next: page.next };
}

const noSuchChange = () => notFound("no such held change (it may have been approved or rejected already)");

/** Applies the change as the terminal sent it; people sync then carries it to the other doors (the job, or null). */
export async function approveHeldChange(deps: PeopleDeps, actor: Actor, id: number) {
  await refuseReservedNewPerson(deps, id);
  const done = await deps.people.approveHeld(id, actorId(actor));
  if (!done) throw noSuchChange();
  return { change: heldChangeView(done.change), job: done.job };
}

/**
 * A release before the reserved ids held a terminal's new person under one; approving it would
 * create the person createPerson refuses. A person an older release stored under one keeps working.
 */
async function refuseReservedNewPerson(deps: PeopleDeps, id: number) {
  const held = await deps.store.people.heldChange(id);
  if (held && !(await deps.store.getPerson(held.enrollid))) refuseReservedEnrollid(held.enrollid);
}

/** Discards the change: nothing is applied or sent anywhere. */
export async function rejectHeldChange(deps: PeopleDeps, actor: Actor, id: number) {
  const done = await deps.people.rejectHeld(id, actorId(actor));
  if (!done) throw noSuchChange();
  return { change: heldChangeView(done.change) };
}
