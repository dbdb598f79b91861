/**
 * What an audit entry was about, in words and with a link to its page: the use cases store the
 * target as they name it ("person:3", "group:2", "terminal:SN", "source:4", or a bare id whose kind
 * the action says: "T1" for `terminal.approve`, "4" for `access.level.update`, "alice" for `login`),
 * and the audit log shows it through here, never raw.
 */
import { plural } from "../lib/plural.ts";
import type { Store } from "../store/contract.ts";

/** A target as a page shows it: its words, and its page where it has one. */
export interface TargetLabel {
  text: string;
  href?: string;
}

interface Found {
  name: string;
  /** Said after the name: a revoked token. */
  note?: string;
}

interface Kind {
  noun: string;
  page?: (id: string) => string;
  /** Those of `ids` that exist, by id, in one read; without it the kind is never read nor marked gone. */
  read?: (store: Store, ids: string[]) => Promise<Array<[string, Found]>>;
  /** How a found one reads, when not "noun name". */
  label?: (id: string, found: Found) => string;
  /** Said of one not found, when not "deleted". */
  gone?: string;
}

const byId = (rows: ReadonlyArray<{ id: number; name: string }>): Array<[string, Found]> => rows.map((r) => [String(r.id), { name: r.name }]);
const numbers = (ids: string[]) => ids.map(Number).filter(Number.isSafeInteger);
const at = (base: string) => (id: string) => `${base}/${encodeURIComponent(id)}`;

const KINDS = {
  person: {
    noun: "person",
    page: at("/people"),
    read: async (store, ids) => (await store.people.some(numbers(ids))).map((p) => [String(p.enrollid), { name: p.name }]),
    label: (id, p) => (p.name ? `${p.name} (#${id})` : `person #${id}`),
  },
  group: { noun: "group", page: (id) => `/groups/${encodeURIComponent(id)}/terminals`, read: async (store) => byId(await store.people.listGroups()) },
  terminal: {
    noun: "terminal",
    page: at("/terminals"),
    read: async (store, sns) => (await store.terminalsPage({ sns, limit: sns.length })).items.map((t) => [t.sn, { name: t.name ?? "" }]),
    label: (sn, t) => (t.name ? `${t.name} (${sn})` : `terminal ${sn}`),
  },
  user: { noun: "user", gone: "no such user", read: async (store) => (await store.admin.listUsers()).map((u) => [u.username, { name: u.username }]) },
  token: {
    noun: "API token",
    read: async (store) => (await store.listTokens()).map((t) => [String(t.id), { name: t.name, ...(t.revokedAt === null ? {} : { note: "revoked" }) }]),
  },
  level: { noun: "access level", page: at("/access/levels"), read: async (store) => byId(await store.access.levels()) },
  accessSchedule: { noun: "access schedule", page: at("/access/schedules"), read: async (store) => byId(await store.access.schedules()) },
  pass: { noun: "pass", page: at("/access/passes") },
  department: { noun: "department", read: async (store) => byId(await store.timesheets.departments()) },
  shift: { noun: "shift", page: at("/timesheets/shifts"), read: async (store) => byId(await store.timesheets.shifts()) },
  // A work schedule has no name of its own: one found is "work schedule #N".
  schedule: { noun: "work schedule", read: async (store) => (await store.timesheets.schedules()).map((s) => [String(s.id), { name: "" }]) },
  holiday: { noun: "holiday", page: at("/timesheets/holidays"), read: async (store) => byId(await store.timesheets.holidays()) },
  leaveType: { noun: "leave type", read: async (store) => byId(await store.timesheets.leaveTypes()) },
  importSource: { noun: "import source", page: at("/integrations/import/sources"), read: async (store) => byId(await store.importSources.list()) },
  webhook: { noun: "webhook", page: at("/integrations/webhooks") },
  hrDestination: { noun: "HR destination", page: at("/integrations/hr") },
} satisfies Record<string, Kind>;
type KindName = keyof typeof KINDS;

/** The prefixes of targets that say their kind. */
const PREFIXED: Record<string, KindName> = {
  person: "person",
  group: "group",
  terminal: "terminal",
  department: "department",
  shift: "shift",
  schedule: "schedule",
  holiday: "holiday",
  leave_type: "leaveType",
  source: "importSource",
  webhook: "webhook",
};

/** Bare targets, whose kind the action says. */
const BY_ACTION: Array<[RegExp, KindName]> = [
  [/^(terminal|command)\./, "terminal"],
  [/^access\.level\./, "level"],
  [/^access\.schedule\./, "accessSchedule"],
  [/^access\.pass\./, "pass"],
  [/^access\.person\./, "person"],
  [/^token\./, "token"],
  [/^webhook\./, "webhook"],
  [/^hr-destination\./, "hrDestination"],
  [/^import-source\./, "importSource"],
  [/^(user\.|password\.change$|login$|logout$|admin\.first-created$|biotime\.login$)/, "user"],
];

interface Ref {
  kind: KindName;
  id: string;
  /** A dead letter's id after its webhook's or destination's ("3/17"). */
  letter?: string;
}

/** What kind of thing `target` names, and its id; null when it names nothing with a label (e.g. "site"). */
function targetRef(action: string, target: string): Ref | null {
  const colon = target.indexOf(":");
  const prefixed = colon > 0 ? PREFIXED[target.slice(0, colon)] : undefined;
  const kind = prefixed ?? BY_ACTION.find(([pattern]) => pattern.test(action))?.[1];
  const id = prefixed ? target.slice(colon + 1) : target;
  if (!kind || id === "") return null;
  const slash = id.indexOf("/");
  return action.includes(".dead-letter.") && slash > 0 ? { kind, id: id.slice(0, slash), letter: id.slice(slash + 1) } : { kind, id };
}

/** The label of one target; without `found`, nothing is read, so nothing is marked gone. */
export function targetLabel(action: string, target: string, found?: ReadonlyMap<string, Found>): TargetLabel {
  if (target.startsWith("terminals:")) return { text: plural(target.slice("terminals:".length).split(",").length, "terminal") };
  const ref = targetRef(action, target);
  if (!ref) return { text: target };
  const kind: Kind = KINDS[ref.kind];
  const number = /^\d+$/.test(ref.id) ? `#${ref.id}` : ref.id;
  const one = found && kind.read ? found.get(`${ref.kind}:${ref.id}`) : { name: "" };
  const letter = ref.letter ? `, dead letter #${ref.letter}` : "";
  if (!one) return { text: `${kind.noun} ${number} (${kind.gone ?? "deleted"})${letter}` };
  const named = one.name ? (kind.label?.(ref.id, one) ?? `${kind.noun} ${one.name}`) : `${kind.noun} ${number}`;
  return { text: `${named}${one.note ? ` (${one.note})` : ""}${letter}`, ...(kind.page ? { href: kind.page(ref.id) } : {}) };
}

/**
 * The labels of a page's audit entries: each kind the page names read once for the whole page (not
 * a read a row), and only when a row names one.
 */
export async function targetLabels(store: Store, entries: Iterable<{ action: string; target: string | null }>): Promise<(action: string, target: string) => TargetLabel> {
  const wanted = new Map<KindName, Set<string>>();
  for (const { action, target } of entries) {
    const ref = target === null ? null : targetRef(action, target);
    if (ref) wanted.set(ref.kind, (wanted.get(ref.kind) ?? new Set()).add(ref.id));
  }
  const found = new Map<string, Found>();
  await Promise.all(
    [...wanted].map(async ([name, ids]) => {
      const kind: Kind = KINDS[name];
      for (const [id, one] of kind.read ? await kind.read(store, [...ids]) : []) found.set(`${name}:${id}`, one);
    }),
  );
  return (action, target) => targetLabel(action, target, found);
}
