/**
 * HR delivery destinations (ERPNext, Odoo…): create, change, delete, test the connection and
 * retry a dead letter, through the API and the admin UI alike. Credentials are sealed by the
 * SecretBox (never shown back); the kind's settings and credentials are checked by the kind's own
 * schemas; the dispatcher is told of every change at once; every change is audited.
 */
import type { SecretBox } from "../auth/secret-box.ts";
import type { RecordOutcome, TestResult } from "../connectors/adapter.ts";
import {
  type CreateHrDestinationBody,
  createHrDestinationBody,
  type HrDestination,
  type HrDestinationView,
  hrDestinationJson,
  type PatchHrDestinationBody,
  parseHrDestination,
  patchHrDestinationBody,
} from "../connectors/destination.ts";
import type { HrDispatcher } from "../connectors/dispatcher.ts";
import { type ConnectorKind, connectorKind } from "../connectors/kinds.ts";
import { AppError, badRequest, notFound } from "../lib/app-error.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { HrDestinationSettings } from "../store/hr-contract.ts";
import type { HrDeadLetterRow } from "../store/schema.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

export interface HrDestinationDeps {
  store: OutboundStore;
  connectors: HrDispatcher;
  secrets: SecretBox;
  now: () => number;
}

const noSuchDestination = () => notFound("no such HR destination");

function kindOf(name: string): ConnectorKind {
  const kind = connectorKind(name);
  if (!kind) throw badRequest(`unknown kind "${name}"`);
  return kind;
}

/** The kind's settings with its defaults applied, as stored (JSON). */
function kindSettings(kind: ConnectorKind, value: Record<string, unknown>): string {
  return JSON.stringify(validInput(kind.settings, value, "settings"));
}

function sealedCredentials(kind: ConnectorKind, value: Record<string, unknown> | null, secrets: SecretBox): string | null {
  return value === null ? null : secrets.seal(JSON.stringify(validInput(kind.credentials, value, "credentials")));
}

export async function getHrDestination(deps: Pick<HrDestinationDeps, "store">, id: number): Promise<HrDestination> {
  const row = Number.isSafeInteger(id) ? await deps.store.hrDestinations.get(id) : null;
  if (!row) throw noSuchDestination();
  return parseHrDestination(row);
}

/** The destination with its delivery status (backlog, skips, dead letters, last error…). */
export async function viewHrDestination(deps: Pick<HrDestinationDeps, "connectors">, d: HrDestination): Promise<HrDestinationView> {
  return hrDestinationJson(d, await deps.connectors.state(d));
}

export async function listHrDestinations(deps: Pick<HrDestinationDeps, "store" | "connectors">): Promise<HrDestinationView[]> {
  const views: HrDestinationView[] = [];
  for (const row of await deps.store.hrDestinations.list()) views.push(await viewHrDestination(deps, parseHrDestination(row)));
  return views;
}

export async function createHrDestination(deps: HrDestinationDeps, actor: Actor, input: CreateHrDestinationBody): Promise<HrDestination> {
  const body = validInput(createHrDestinationBody, input);
  const kind = kindOf(body.kind);
  const { store, secrets, now } = deps;
  const row = await store.hrDestinations.create({
    name: body.name,
    kind: body.kind,
    url: body.url,
    settings: kindSettings(kind, body.settings),
    credentialsSealed: sealedCredentials(kind, body.credentials, secrets),
    employeeIdFrom: body.employeeIdFrom,
    terminals: body.terminals === null ? null : [...new Set(body.terminals)].sort(),
    enabled: body.enabled,
    batchSize: body.batchSize,
    timeoutMs: body.timeoutMs,
    maxAttempts: body.maxAttempts,
    cursor: body.start === "now" ? await store.exports.lastId("attendance") : 0,
    at: now(),
  });
  await audit(deps, actor, "hr-destination.create", String(row.id), { name: row.name, kind: row.kind, start: body.start });
  await deps.connectors.reload(row.id);
  return parseHrDestination(row);
}

export async function updateHrDestination(deps: HrDestinationDeps, actor: Actor, id: number, input: PatchHrDestinationBody): Promise<HrDestination> {
  const body = validInput(patchHrDestinationBody, input);
  const before = await getHrDestination(deps, id);
  const kind = kindOf(before.kind);
  const { settings, credentials, terminals, ...plain } = body;
  const changes: Partial<HrDestinationSettings> = { ...plain };
  if (settings !== undefined) changes.settings = kindSettings(kind, { ...before.settings, ...settings });
  if (credentials !== undefined) changes.credentialsSealed = sealedCredentials(kind, credentials, deps.secrets);
  if (terminals !== undefined) changes.terminals = terminals === null ? null : [...new Set(terminals)].sort();
  const row = await deps.store.hrDestinations.update(id, changes, deps.now());
  if (!row) throw noSuchDestination();
  await audit(deps, actor, "hr-destination.update", String(id), { fields: Object.keys(body) });
  await deps.connectors.reload(id);
  return parseHrDestination(row);
}

/** The destination as it was. */
export async function deleteHrDestination(deps: HrDestinationDeps, actor: Actor, id: number): Promise<HrDestination> {
  const d = await getHrDestination(deps, id);
  if (!(await deps.store.hrDestinations.delete(id))) throw noSuchDestination();
  await audit(deps, actor, "hr-destination.delete", String(id), { name: d.name });
  await deps.connectors.reload(id);
  return d;
}

/** Asks the HR system whether the URL and credentials work (nothing is created there). */
export async function testHrDestination(deps: HrDestinationDeps, actor: Actor, id: number): Promise<TestResult> {
  const d = await getHrDestination(deps, id);
  const result = await deps.connectors.test(d);
  await audit(deps, actor, "hr-destination.test", String(id), undefined, result.ok ? "ok" : `failed: ${result.message}`);
  return result;
}

/** Sends a dead letter's record once more, now (it stays dead, one more attempt counted, if that fails). */
export async function retryHrDeadLetter(deps: HrDestinationDeps, actor: Actor, id: number, letterId: number): Promise<{ letter: HrDeadLetterRow; outcome: RecordOutcome }> {
  const d = await getHrDestination(deps, id);
  const letter = Number.isSafeInteger(letterId) ? await deps.store.hrDestinations.getDeadLetter(id, letterId) : null;
  if (!letter) throw notFound("no such dead letter");
  if (letter.status === "delivered") throw new AppError(409, "conflict", "this dead letter was delivered already");
  const settled = await deps.connectors.retryDeadLetter(d, letter);
  const o = settled.outcome;
  await audit(deps, actor, "hr-destination.dead-letter.retry", `${id}/${letter.id}`, undefined, o.status === "failed" ? `failed: ${o.error}` : o.status);
  return settled;
}
