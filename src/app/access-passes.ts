/**
 * Visitor passes (issue 16): created, read and revoked here; their uses are consumed at the door
 * (`terminals/access-live.ts`, `Store.access.usePass`) and recorded with each scan.
 */
import { z } from "zod";
import { passSchema } from "../access/model.ts";
import { AppError, badRequest, notFound } from "../lib/app-error.ts";
import type { PassRow } from "../store/access-contract.ts";
import { type AccessDeps, newCode, UNSAVED } from "./access.ts";
import { type Actor, actorId } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

/**
 * `POST /api/v1/access/passes`: times site-local ("YYYY-MM-DD HH:MM[:SS]", a "T" between is
 * fine: what a browser's datetime-local sends), both inclusive; doors by level, by terminal or
 * both; `uses` 1 unless given, null for any number.
 */
export const passInput = z.strictObject({
  name: z.string().max(200),
  validFrom: z.string().max(40),
  validTo: z.string().max(40),
  levelIds: z.array(z.number().int()).max(1_000).default([]),
  terminals: z.array(z.string().max(200)).max(10_000).default([]),
  uses: z.number().int().nullable().default(1),
});

export const passListQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** What a pass's reader sees: the row, plus whether it opens doors now and how many uses are left. */
export interface PassView extends PassRow {
  status: "active" | "not_yet" | "expired" | "used_up" | "revoked";
  usesLeft: number | null;
}

export interface PassDeps extends AccessDeps {
  /** The site-local "YYYY-MM-DD HH:MM:SS" of an instant (the site's time zone). */
  localTime: (ms: number) => string;
}

export function passView(deps: PassDeps, p: PassRow): PassView {
  const now = deps.localTime(deps.now());
  const usesLeft = p.uses === null ? null : Math.max(0, p.uses - p.used);
  const status = p.revokedAt !== null ? "revoked" : usesLeft === 0 ? "used_up" : now > p.validTo ? "expired" : now < p.validFrom ? "not_yet" : "active";
  return { ...p, status, usesLeft };
}

/** The code is in the answer (and on the pass page, to print again); the audit entry leaves it out. */
export async function createPass(deps: PassDeps, actor: Actor, input: z.output<typeof passInput>): Promise<PassView> {
  const code = newCode();
  const valid = validInput(passSchema, { ...input, id: UNSAVED, code, revoked: false });
  if (valid.validFrom > valid.validTo) {
    // The API's message names both fields as its body does; the UI puts the problem under "Valid until".
    const problem = `the end (${valid.validTo.slice(0, 16)}) is before the start (${valid.validFrom.slice(0, 16)})`;
    throw new AppError(400, "bad_request", `validTo: ${valid.validTo} is before validFrom ${valid.validFrom}`, undefined, { field: "validTo", problem });
  }
  if (valid.levelIds.length === 0 && valid.terminals.length === 0) throw badRequest("levelIds: a pass opens at least one door: give levelIds or terminals");
  const row = await deps.store.access.createPass({
    name: valid.name, code, validFrom: valid.validFrom, validTo: valid.validTo, levelIds: valid.levelIds, terminals: valid.terminals, uses: valid.uses,
    createdAt: deps.now(), createdBy: actorId(actor),
  });
  // The code opens doors, so it stays out; who made it and when are the entry's own actor and time.
  const { code: _code, createdAt: _at, createdBy: _by, ...details } = row;
  await audit(deps, actor, "access.pass.create", String(row.id), details);
  await deps.changed?.();
  return passView(deps, row);
}

export async function listPasses(deps: PassDeps, query: z.output<typeof passListQuery>): Promise<{ items: PassView[]; next: string | null }> {
  const page = await deps.store.access.passes({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  return { items: page.items.map((p) => passView(deps, p)), next: page.next };
}

export async function getPass(deps: PassDeps, id: number): Promise<PassView> {
  const p = await deps.store.access.pass(id);
  if (!p) throw notFound(`no pass ${id}`);
  return passView(deps, p);
}

/** At once on every door of this instance (and within the store's next use on every other: a use checks it). Revoking twice is harmless. */
export async function revokePass(deps: PassDeps, actor: Actor, id: number): Promise<PassView> {
  const before = await deps.store.access.pass(id);
  if (!before) throw notFound(`no pass ${id}`);
  if (before.revokedAt !== null) return passView(deps, before);
  const row = await deps.store.access.revokePass(id, deps.now(), actorId(actor));
  if (!row) throw notFound(`no pass ${id}`);
  await audit(deps, actor, "access.pass.revoke", String(id));
  await deps.changed?.();
  return passView(deps, row);
}
