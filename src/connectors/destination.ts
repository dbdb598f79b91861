/**
 * An HR destination's settings: the API's request bodies (one zod schema each; the kind's own
 * settings and credentials are checked by the kind's schemas in the use case), the typed view of
 * a stored row, and its public JSON (credentials never leave: only whether they are set).
 */
import { z } from "zod";
import { SKIP_REASONS, type SkipReason } from "../store/hr-contract.ts";
import { EMPLOYEE_ID_FROM } from "../store/schema.ts";
import { skippedCounts } from "../store/hr-columns.ts";
import type { HrDestinationRow } from "../store/schema.ts";
import { displayUrl, httpUrl } from "../webhooks/settings.ts";
import { CONNECTOR_KINDS } from "./kinds.ts";

const settingsFields = {
  name: z.string().trim().min(1).max(100),
  /** The HR system's base URL (https://erp.example.com). */
  url: httpUrl,
  /** The kind's own settings; on a change, merged over the stored ones. */
  settings: z.record(z.string(), z.unknown()),
  /** The kind's secrets, replaced as a whole (null: remove them). */
  credentials: z.record(z.string(), z.unknown()).nullable(),
  /** external_id: the person's payroll number (the enroll id where none is set); enrollid: the enroll id. */
  employeeIdFrom: z.enum(EMPLOYEE_ID_FROM),
  terminals: z.array(z.string().min(1).max(64)).min(1).max(10_000).nullable(),
  enabled: z.boolean(),
  batchSize: z.number().int().min(1).max(500),
  timeoutMs: z.number().int().min(100).max(120_000),
  maxAttempts: z.number().int().min(1).max(1000),
};

export const createHrDestinationBody = z.strictObject({
  kind: z.enum(CONNECTOR_KINDS),
  name: settingsFields.name,
  url: settingsFields.url,
  settings: settingsFields.settings.default({}),
  credentials: settingsFields.credentials.default(null),
  employeeIdFrom: settingsFields.employeeIdFrom.default("external_id"),
  terminals: settingsFields.terminals.default(null),
  enabled: settingsFields.enabled.default(true),
  batchSize: settingsFields.batchSize.default(50),
  timeoutMs: settingsFields.timeoutMs.default(10_000),
  maxAttempts: settingsFields.maxAttempts.default(10),
  /** now: only punches committed from now on; beginning: every punch in the store. */
  start: z.enum(["now", "beginning"]).default("now"),
});

export const patchHrDestinationBody = z.strictObject(settingsFields).partial();

export type CreateHrDestinationBody = z.infer<typeof createHrDestinationBody>;
export type PatchHrDestinationBody = z.infer<typeof patchHrDestinationBody>;

const storedList = z.array(z.string());

/** A stored row with its JSON columns parsed (the kind's settings stay as the kind reads them). */
export interface HrDestination extends Omit<HrDestinationRow, "terminals" | "settings" | "skipped"> {
  terminals: string[] | null;
  settings: Record<string, unknown>;
  skipped: Partial<Record<SkipReason, number>>;
}

export function parseHrDestination(row: HrDestinationRow): HrDestination {
  return {
    ...row,
    terminals: row.terminals === null ? null : storedList.parse(JSON.parse(row.terminals)),
    settings: z.record(z.string(), z.unknown()).parse(JSON.parse(row.settings)),
    skipped: skippedCounts.parse(JSON.parse(row.skipped)),
  };
}

export interface HrDestinationState {
  backlog: number;
  deadLetters: number;
  /** Known to the instance delivering the destination (in a cluster, elsewhere null and false). */
  nextAttemptAt: number | null;
  inFlight: boolean;
  /** Cluster: the instance delivering it now (null: none has its lease; a single box). */
  instance: string | null;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function hrDestinationJson(d: HrDestination, state: HrDestinationState) {
  return {
    id: d.id,
    kind: d.kind,
    name: d.name,
    url: displayUrl(d.url),
    settings: d.settings,
    credentialsSet: d.credentialsSealed !== null,
    employeeIdFrom: d.employeeIdFrom,
    terminals: d.terminals,
    enabled: d.enabled,
    batchSize: d.batchSize,
    timeoutMs: d.timeoutMs,
    maxAttempts: d.maxAttempts,
    status: {
      backlog: state.backlog,
      delivered: d.delivered,
      /** Refused by the HR system for good, per reason (unknownEmployee, inactiveEmployee, duplicate; Odoo: missingCheckIn, outOfOrder); notAPerson: a scan of nobody enrolled, never sent. */
      skipped: Object.fromEntries(SKIP_REASONS.map((r) => [camel(r), d.skipped[r] ?? 0])),
      lastSkip: d.lastSkip,
      deadLetters: state.deadLetters,
      lastSuccessAt: d.lastSuccessAt,
      lastError: d.lastError,
      lastErrorAt: d.lastErrorAt,
      failedAttempts: d.attempts,
      nextAttemptAt: state.nextAttemptAt,
      inFlight: state.inFlight,
      instance: state.instance,
    },
    cursor: d.cursor,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export type HrDestinationView = ReturnType<typeof hrDestinationJson>;
