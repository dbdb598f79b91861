/** The access model indexed once, for every terminal it is compiled for and for live decisions. */
import type { AccessModel, Level, Person, Schedule } from "./model.ts";

export interface ModelIndex {
  model: AccessModel;
  schedules: Map<number, Schedule>;
  levels: Map<number, Level>;
  /** sn → the ids of the levels that include it. */
  levelsAt: Map<string, Set<number>>;
  people: Person[];
}

export function indexModel(model: AccessModel): ModelIndex {
  const members = new Map(model.terminalGroups.map((g) => [g.id, g.members]));
  const levelsAt = new Map<string, Set<number>>();
  for (const level of model.levels) {
    const doors = [...level.terminals, ...level.groupIds.flatMap((g) => members.get(g) ?? [])];
    for (const sn of doors) {
      let set = levelsAt.get(sn);
      if (!set) levelsAt.set(sn, (set = new Set()));
      set.add(level.id);
    }
  }
  return {
    model,
    schedules: new Map(model.schedules.map((s) => [s.id, s])),
    levels: new Map(model.levels.map((l) => [l.id, l])),
    levelsAt,
    people: [...model.people].sort((a, b) => a.enrollid - b.enrollid),
  };
}

/** The schedules that give a person access at a door, by ascending id; none when disabled. */
export function schedulesAt(index: ModelIndex, person: Person, sn: string): Schedule[] {
  const here = index.levelsAt.get(sn);
  if (!person.enabled || !here) return [];
  const ids = new Set<number>();
  for (const l of person.levelIds) if (here.has(l)) ids.add((index.levels.get(l) as Level).scheduleId);
  return [...ids].sort((a, b) => a - b).map((s) => index.schedules.get(s) as Schedule);
}
