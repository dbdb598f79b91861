/**
 * What a terminal must be sent so that it holds a person exactly as the server does: only what
 * is missing or stale, so a full re-sync of a terminal that is up to date sends nothing.
 */
import type { Credential, Holdings } from "../store/commands-contract.ts";
import type { PersonRow } from "../store/schema.ts";
import { credentialDigest, NAME_ONLY, nameDigest } from "./digest.ts";

export interface PlannedCommand {
  command: "setuserinfo" | "deleteuser" | "enableuser";
  params: Record<string, unknown>;
}

/** What one terminal needs for one person: commands of their own, and `name` when it should hold them by name alone. */
export interface PersonPlan {
  commands: PlannedCommand[];
  name?: string;
}

export interface TerminalView {
  credentials: Map<number, Map<number, string>>;
  enabled: Map<number, boolean>;
}

/** `deleteuser` removes one of these at a time; faces, palms and photos only go with the whole person. */
const DELETABLE = (backupnum: number) => backupnum >= 0 && backupnum <= 11;
const WHOLE_PERSON = 13;

export function terminalView(h: Holdings): TerminalView {
  const credentials = new Map<number, Map<number, string>>();
  for (const c of h.credentials) {
    let m = credentials.get(c.enrollid);
    if (!m) credentials.set(c.enrollid, (m = new Map()));
    m.set(c.backupnum, c.digest);
  }
  return { credentials, enabled: new Map(h.people.map((p) => [p.enrollid, p.enabled])) };
}

/** The people a terminal holds anything of. */
export function heldPeople(view: TerminalView): Set<number> {
  return new Set([...view.credentials.keys(), ...view.enabled.keys()]);
}

/**
 * `person` null: the person no longer exists on the server and goes from the terminal too. A
 * person without credentials is held by name alone (`name`: the caller sends names in batches),
 * after anything stale of theirs is deleted.
 */
export function planPerson(enrollid: number, person: PersonRow | null, credentials: Credential[], view: TerminalView): PersonPlan {
  const held = view.credentials.get(enrollid) ?? new Map<number, string>();
  const holdsAny = held.size > 0 || view.enabled.has(enrollid);
  if (!person) return { commands: holdsAny ? [{ command: "deleteuser", params: { enrollid, backupnum: WHOLE_PERSON } }] : [] };
  if (credentials.length === 0) {
    const stale = [...held.keys()].some((b) => b !== NAME_ONLY);
    if (!stale && held.get(NAME_ONLY) === nameDigest(person.name)) return { commands: [] };
    return { commands: stale ? [{ command: "deleteuser", params: { enrollid, backupnum: WHOLE_PERSON } }] : [], name: person.name };
  }
  const out: PlannedCommand[] = [];
  const wanted = new Set<number>();
  for (const c of credentials) {
    wanted.add(c.backupnum);
    if (held.get(c.backupnum) !== credentialDigest(person.name, person.admin, c.data)) {
      out.push({ command: "setuserinfo", params: { enrollid, name: person.name, backupnum: c.backupnum, admin: person.admin, record: c.data } });
    }
  }
  for (const backupnum of held.keys()) {
    if (!wanted.has(backupnum) && DELETABLE(backupnum)) out.push({ command: "deleteuser", params: { enrollid, backupnum } });
  }
  const enabledThere = view.enabled.get(enrollid) ?? true;
  if ((holdsAny || out.length > 0) && enabledThere !== person.enabled) {
    out.push({ command: "enableuser", params: { enrollid, enflag: person.enabled ? 1 : 0 } });
  }
  return { commands: out };
}

/**
 * Two open commands with the same key would leave the terminal in the same state. A `setusername`
 * has one key per name it carries, so a person in any open batch is not batched again.
 */
export function commandKeys(command: string, params: Record<string, unknown>): string[] {
  if (command === "setuserinfo") {
    return [`${command}:${String(params.enrollid)}:${String(params.backupnum)}:${credentialDigest(String(params.name ?? ""), Number(params.admin ?? 0), String(params.record ?? ""))}`];
  }
  if (command === "setusername") {
    const records = Array.isArray(params.record) ? (params.record as Array<Record<string, unknown>>) : [];
    return records.map((r) => nameKey(Number(r.enrollid), String(r.name ?? "")));
  }
  return [`${command}:${String(params.enrollid)}:${String(params.backupnum ?? "")}:${String(params.enflag ?? "")}`];
}

export const nameKey = (enrollid: number, name: string) => `setusername:${enrollid}:${nameDigest(name)}`;
