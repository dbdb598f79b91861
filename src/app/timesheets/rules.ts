/** The site's punch rules and how each terminal's in/out is read; a change recomputes the last year. */
import { z } from "zod";
import { addDays } from "../../timesheets/calendar.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { PunchInterpretation, SiteRules } from "../../timesheets/types.ts";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import { recomputeSpan, type TimesheetDeps, today } from "./deps.ts";
import { MAX_READ_DAYS } from "./fields.ts";

export const siteRulesInput = z
  .strictObject({
    doubleScanSeconds: z.number().int().min(0).max(3600),
    calculation: schemas.calculationMode,
    defaultInterpretation: schemas.punchInterpretation,
  })
  .partial();

export async function updateSiteRules(deps: TimesheetDeps, actor: Actor, changes: unknown): Promise<SiteRules> {
  const patch = validInput(siteRulesInput, changes);
  const { terminals: _t, ...current } = await deps.store.timesheets.siteRules();
  const rules = await deps.store.timesheets.setSiteRules({ ...current, ...patch });
  await audit(deps, actor, "timesheets.rules.update", "site", patch);
  recomputeSpan(deps, [[addDays(today(deps), -MAX_READ_DAYS), null]]);
  return rules;
}

/** How one terminal's in/out is read (null: the site's default). */
export async function setTerminalInterpretation(deps: TimesheetDeps, actor: Actor, sn: string, interpretation: PunchInterpretation | null): Promise<SiteRules> {
  const how = validInput(schemas.punchInterpretation.nullable(), interpretation);
  const rules = await deps.store.timesheets.setTerminalInterpretation(validInput(z.string().trim().min(1).max(64), sn), how);
  await audit(deps, actor, "timesheets.rules.terminal", `terminal:${sn}`, { interpretation: how });
  recomputeSpan(deps, [[addDays(today(deps), -MAX_READ_DAYS), null]]);
  return rules;
}
