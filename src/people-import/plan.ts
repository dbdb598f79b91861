/**
 * What an import would change, computed before anything is written (the dry run shows exactly
 * this). People are matched by external id; people without one were enrolled locally and are
 * never touched. A bad entry costs only itself and is reported with where it came from.
 */
import { describeInput } from "../lib/input-problem.ts";
import { isPlaceholderEnrollid } from "../protocol/index.ts";
import { reservedEnrollid } from "../people/reserved-enrollid.ts";
import type { PersonInput } from "../store/commands-contract.ts";
import type { PersonRow } from "../store/schema.ts";
import { type ImportRecord, importRecord } from "./record.ts";

/** A CSV line number, or "page 2, item 17" for a JSON source. */
export type Origin = number | string;

export interface ImportEntry {
  origin: Origin;
  data: unknown;
}

export interface ImportError {
  line: Origin;
  external_id: string | null;
  message: string;
}

export interface PlannedChange {
  action: "create" | "update" | "disable";
  enrollid: number;
  external_id: string;
  line: Origin | null;
  /** Field → [before, after]; empty for a create. */
  changes: Record<string, [unknown, unknown]>;
  input: PersonInput;
}

export interface ImportPlan {
  creates: PlannedChange[];
  updates: PlannedChange[];
  disables: PlannedChange[];
  unchanged: number;
  errors: ImportError[];
}

const inputOf = (p: PersonRow): PersonInput => ({
  name: p.name, admin: p.admin, enabled: p.enabled, validFrom: p.validFrom, validTo: p.validTo, externalId: p.externalId,
});

function merged(base: PersonInput, r: ImportRecord): PersonInput {
  return {
    name: r.name,
    admin: r.admin ?? base.admin,
    enabled: r.enabled ?? base.enabled,
    validFrom: r.valid_from !== undefined ? r.valid_from : base.validFrom,
    validTo: r.valid_to !== undefined ? r.valid_to : base.validTo,
    externalId: r.external_id,
  };
}

function diff(before: PersonInput, after: PersonInput): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const k of Object.keys(after) as Array<keyof PersonInput>) if (before[k] !== after[k]) out[k] = [before[k], after[k]];
  return out;
}

/** The external id of an entry that failed validation, when it has a usable one. */
function looseExternalId(data: unknown): string | null {
  const v = (data as { external_id?: unknown } | null)?.external_id;
  return typeof v === "string" && v.trim() !== "" ? v.trim() : typeof v === "number" ? String(v) : null;
}

export function planImport(existing: readonly PersonRow[], entries: readonly ImportEntry[], options: { disableMissing: boolean }): ImportPlan {
  const plan: ImportPlan = { creates: [], updates: [], disables: [], unchanged: 0, errors: [] };
  const byExternal = new Map(existing.flatMap((p) => (p.externalId ? [[p.externalId, p] as const] : [])));
  const byId = new Map(existing.map((p) => [p.enrollid, p]));
  const seen = new Map<string, Origin>();
  const taken = new Set(byId.keys());
  let nextId = Math.max(0, ...taken) + 1;

  for (const { origin, data } of entries) {
    const parsed = importRecord.safeParse(data);
    const loose = parsed.success ? parsed.data.external_id : looseExternalId(data);
    const fail = (message: string) => plan.errors.push({ line: origin, external_id: loose, message });
    if (loose !== null && seen.has(loose)) {
      fail(`external id ${JSON.stringify(loose)} appears again (first at ${seen.get(loose)})`);
      continue;
    }
    if (loose !== null) seen.set(loose, origin);
    if (!parsed.success) {
      fail(describeInput(parsed.error));
      continue;
    }
    const r = parsed.data;
    const current = byExternal.get(r.external_id);
    if (current) {
      if (r.enrollid !== undefined && r.enrollid !== current.enrollid) {
        fail(`enrollid ${r.enrollid} differs from this person's (${current.enrollid}); enrollids are not moved`);
        continue;
      }
      const before = inputOf(current);
      const after = merged(before, r);
      const changes = diff(before, after);
      if (Object.keys(changes).length === 0) plan.unchanged++;
      else plan.updates.push({ action: "update", enrollid: current.enrollid, external_id: r.external_id, line: origin, changes, input: after });
      continue;
    }
    if (r.enrollid !== undefined) {
      const holder = byId.get(r.enrollid);
      if (holder?.externalId) {
        fail(`enrollid ${r.enrollid} belongs to external id ${JSON.stringify(holder.externalId)}`);
        continue;
      }
      if (holder) {
        // A locally enrolled person the HR system now names: link them rather than duplicate.
        const before = inputOf(holder);
        const after = merged(before, r);
        plan.updates.push({ action: "update", enrollid: holder.enrollid, external_id: r.external_id, line: origin, changes: diff(before, after), input: after });
        continue;
      }
      if (taken.has(r.enrollid)) {
        fail(`enrollid ${r.enrollid} is given to another entry of this import`);
        continue;
      }
      const reserved = reservedEnrollid(r.enrollid);
      if (reserved) {
        fail(`enrollid: ${reserved}`);
        continue;
      }
    }
    let enrollid = r.enrollid;
    if (enrollid === undefined) {
      while (taken.has(nextId) || isPlaceholderEnrollid(nextId)) nextId++;
      enrollid = nextId;
    }
    taken.add(enrollid);
    const input = merged({ name: r.name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: r.external_id }, r);
    plan.creates.push({ action: "create", enrollid, external_id: r.external_id, line: origin, changes: {}, input });
  }

  if (options.disableMissing) {
    for (const p of existing) {
      if (!p.externalId || !p.enabled || seen.has(p.externalId)) continue;
      const before = inputOf(p);
      const after = { ...before, enabled: false };
      plan.disables.push({ action: "disable", enrollid: p.enrollid, external_id: p.externalId, line: null, changes: diff(before, after), input: after });
    }
  }
  return plan;
}
