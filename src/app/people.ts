/**
 * People and their credentials, as an admin changes them: every change goes through the people
 * service, which audits it and carries it to the terminals holding the person (the job).
 */
import { AppError, badRequest, notFound } from "../lib/app-error.ts";
import { foldText } from "../lib/fold-text.ts";
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import { reservedEnrollid } from "../people/reserved-enrollid.ts";
import type { LogRange, PeopleService } from "../people/service.ts";
import type { PersonInput } from "../store/commands-contract.ts";
import type { Store } from "../store/contract.ts";
import { encodeCursor } from "../store/cursor.ts";
import { type Actor, actorId } from "./actor.ts";
import { knownTerminal } from "./terminals.ts";
import { CREDENTIAL_BACKUPNUMS } from "../protocol/index.ts";

export interface PeopleDeps {
  store: Store;
  people: PeopleService;
}

export interface CredentialInput {
  backupnum: number;
  data: string;
}

const noSuchPerson = () => notFound("no such person");

/** A refused credential: the API's words, and the field apart ("pin", "card") for a form to name by its label. */
const badCredential = (field: "pin" | "card", what: string, problem: string) => new AppError(400, "bad_request", `credentials: ${what} is ${problem}`, undefined, { field, problem: `use ${problem}` });

/** PINs are ≤ 8 digits; card numbers are digits (or hex on some readers); the rest is kept as given. */
function checkCredential(c: CredentialInput): void {
  if (c.backupnum === 10 && !/^\d{1,8}$/.test(c.data)) throw badCredential("pin", "a password", "1 to 8 digits");
  if (c.backupnum === 11 && !/^[0-9A-Fa-f]{1,20}$/.test(c.data)) throw badCredential("card", "a card number", "1 to 20 digits");
}

/** Refuses a new person under an enroll id the terminals reserve (people/reserved-enrollid.ts). */
export function refuseReservedEnrollid(enrollid: number): void {
  const reserved = reservedEnrollid(enrollid);
  if (reserved) throw new AppError(400, "bad_request", `enrollid: ${reserved}`, undefined, { field: "enrollid", problem: reserved });
}

export async function createPerson(deps: PeopleDeps, actor: Actor, enrollid: number, input: PersonInput, credentials: readonly CredentialInput[] = []) {
  refuseReservedEnrollid(enrollid);
  credentials.forEach(checkCredential);
  if (await deps.store.getPerson(enrollid)) throw new AppError(409, "exists", `enroll id ${enrollid} is already taken`);
  const saved = await deps.people.save(enrollid, input, actorId(actor), "create");
  for (const c of credentials) await deps.people.setCredential(enrollid, c.backupnum, c.data, actorId(actor));
  return saved;
}

/** Changes the given fields; the others stay as stored. */
export async function updatePerson(deps: PeopleDeps, actor: Actor, enrollid: number, changes: Partial<PersonInput>) {
  const existing = await deps.store.getPerson(enrollid);
  if (!existing) throw noSuchPerson();
  const input: PersonInput = {
    name: changes.name ?? existing.name,
    admin: changes.admin ?? existing.admin,
    enabled: changes.enabled ?? existing.enabled,
    validFrom: changes.validFrom !== undefined ? changes.validFrom : existing.validFrom,
    validTo: changes.validTo !== undefined ? changes.validTo : existing.validTo,
    externalId: changes.externalId !== undefined ? changes.externalId : existing.externalId,
  };
  return deps.people.save(enrollid, input, actorId(actor), "update");
}

/** Deletes the person here and from every terminal holding them (the job). */
export async function deletePerson(deps: PeopleDeps, actor: Actor, enrollid: number) {
  const done = await deps.people.remove(enrollid, actorId(actor));
  if (!done) throw noSuchPerson();
  return done;
}

export async function setCredential(deps: PeopleDeps, actor: Actor, enrollid: number, credential: CredentialInput) {
  checkCredential(credential);
  if (!(await deps.store.getPerson(enrollid))) throw noSuchPerson();
  return deps.people.setCredential(enrollid, credential.backupnum, credential.data, actorId(actor));
}

export async function removeCredential(deps: PeopleDeps, actor: Actor, enrollid: number, backupnum: number) {
  const done = await deps.people.removeCredential(enrollid, backupnum, actorId(actor));
  if (!done) throw notFound("no such credential");
  return done;
}

/** Imports everyone a terminal holds (a job). */
export async function pullPeople(deps: PeopleDeps, actor: Actor, sn: string) {
  await knownTerminal(deps, sn);
  return deps.people.pull(sn, actorId(actor));
}

/** Pushes people (everyone when `enrollids` is absent) to terminals and to a group's members (a job). */
export async function pushPeople(deps: PeopleDeps, actor: Actor, to: { enrollids?: number[]; terminals?: readonly string[]; group?: number }) {
  const sns = new Set(to.terminals ?? []);
  if (to.group !== undefined) {
    const group = await deps.store.people.getGroup(to.group);
    if (!group) throw notFound("no such group");
    for (const m of group.members) sns.add(m);
  }
  if (sns.size === 0) throw badRequest("choose at least one terminal");
  for (const sn of sns) await knownTerminal(deps, sn);
  return deps.people.push(to.enrollids, [...sns], actorId(actor));
}

/** Reads one credential of a person from a terminal that holds it (a job): an enrolment made there, brought here. */
export async function pullCredential(deps: PeopleDeps, actor: Actor, enrollid: number, sn: string, backupnum: number) {
  if (!(await deps.store.getPerson(enrollid))) throw noSuchPerson();
  await knownTerminal(deps, sn);
  if (!(CREDENTIAL_BACKUPNUMS as readonly number[]).includes(backupnum)) throw badRequest("credential: choose a fingerprint, PIN, card, face, palm or photo");
  return deps.people.pullCredential(sn, enrollid, backupnum, actorId(actor));
}

/** Logs the server missed: the unread ones, or every log in a date range (a job). */
export async function fetchLogs(deps: PeopleDeps, actor: Actor, sn: string, range: LogRange | null) {
  await knownTerminal(deps, sn);
  return deps.people.fetchLogs(sn, range, actorId(actor));
}

/** A name search reads the people a page at a time, at most this many, and names at most `NAME_MATCHES`. */
const NAME_SCAN_PAGE = 1000;
const NAME_SCAN_MAX = 200_000;
export const NAME_MATCHES = 500;

/**
 * The enroll ids of the people whose name contains `text`, ignoring case and accents ("jurgen"
 * finds "Jürgen"), for filtering punches by person. More than `NAME_MATCHES` is a bad request
 * (the punch query takes the ids as a list): the admin types more of the name.
 */
export async function enrollidsNamed(store: Store, text: string): Promise<number[]> {
  const needle = foldText(text.trim());
  if (needle === "") return [];
  const found: number[] = [];
  let cursor: string | undefined;
  for (let scanned = 0; scanned < NAME_SCAN_MAX; scanned += NAME_SCAN_PAGE) {
    const page = await store.people.list({ limit: NAME_SCAN_PAGE, ...(cursor ? { cursor } : {}) });
    for (const p of page.items) {
      if (!foldText(p.name).includes(needle)) continue;
      if (found.length === NAME_MATCHES) throw badRequest(`person: more than ${NAME_MATCHES} people have "${text.trim()}" in their name; type more of it`);
      found.push(p.enrollid);
    }
    if (!page.next) break;
    cursor = page.next;
  }
  return found;
}

type ListedPerson = Awaited<ReturnType<Store["people"]["list"]>>["items"][number];

/**
 * The people search (the People page, its CSV export, the timesheet people, `GET /people?q=`): the
 * exact enroll id, or part of the name or external id with case and accents ignored ("jurgen"
 * finds "Jürgen"). SQLite's LIKE knows no accents, so a search with letters reads the people in
 * enroll id order (at most `NAME_SCAN_MAX`) and matches here, as `enrollidsNamed` does; the cursor is the store's.
 * `levelId`: only the holders of that access level (a level's page links to them).
 */
export async function listPeople(
  store: Pick<Store, "people">,
  filter: { q?: string; levelId?: number; cursor?: string; limit: number },
): Promise<{ items: ListedPerson[]; next: string | null }> {
  const needle = foldText(filter.q?.trim() ?? "");
  const level = filter.levelId === undefined ? {} : { levelId: filter.levelId };
  // Without a letter (an enroll id, "100%") accents cannot matter: the store's own search serves it.
  if (!/\p{L}/u.test(needle)) return store.people.list({ limit: filter.limit, ...level, ...(needle ? { q: needle } : {}), ...(filter.cursor ? { cursor: filter.cursor } : {}) });
  const found: ListedPerson[] = [];
  let cursor = filter.cursor;
  for (let scanned = 0; scanned < NAME_SCAN_MAX; scanned += NAME_SCAN_PAGE) {
    const page = await store.people.list({ limit: NAME_SCAN_PAGE, ...level, ...(cursor ? { cursor } : {}) });
    for (const p of page.items) {
      if (!foldText(p.name).includes(needle) && !foldText(p.externalId ?? "").includes(needle)) continue;
      if (found.length === filter.limit) return { items: found, next: encodeCursor([found[found.length - 1]?.enrollid ?? 0]) };
      found.push(p);
    }
    if (!page.next) return { items: found, next: null };
    cursor = page.next;
    await yieldToLoop();
  }
  // Past the scan's bound: what was found, and the rest from where the scan stopped.
  return { items: found, next: cursor ?? null };
}
