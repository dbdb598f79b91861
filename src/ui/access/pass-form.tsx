/** The new-pass form of Access → Passes: its fields, what a post reads as, and its check before the use case. */
import type { Context } from "hono";
import type { AccessLevelRow } from "../../store/access-contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import type { UiEnv } from "../env.ts";
import { CsrfField } from "../layout.tsx";
import { FieldError, type FormErrors, FormProblems, NAME_MAX, NameField, TerminalChecks } from "./schedule-form.tsx";

export const LIST = "/access/passes";
/** More uses than a visitor pass needs; the store takes up to a million. */
const USES_MAX = 1_000_000;

export interface PassValues {
  name: string;
  validFrom: string;
  validTo: string;
  levelIds: string[];
  terminals: string[];
  uses: string;
  unlimited: boolean;
}

export interface Choices {
  levels: AccessLevelRow[];
  terminals: TerminalRow[];
}

export async function postedPass(c: Context<UiEnv>): Promise<PassValues> {
  const form = await c.req.formData();
  const one = (name: string) => String(form.get(name) ?? "").slice(0, 200);
  const many = (name: string) => form.getAll(name).map(String).slice(0, 10_000);
  return {
    name: one("name"), validFrom: one("validFrom"), validTo: one("validTo"), levelIds: many("levelId"), terminals: many("sn"), uses: one("uses"),
    unlimited: form.get("unlimited") === "on",
  };
}

/** The posted pass as the use case's input, or its problems by field (the use case checks the rest). */
export function readPassForm(v: PassValues, choices: Choices) {
  const errors: FormErrors = {};
  const name = v.name.trim();
  if (name === "") errors.name = "Name: fill this in.";
  else if (name.length > NAME_MAX) errors.name = `Name: use at most ${NAME_MAX} characters.`;
  if (v.validFrom.trim() === "") errors.validFrom = "Valid from: fill this in.";
  if (v.validTo.trim() === "") errors.validTo = "Valid until: fill this in.";
  const levels = new Set(choices.levels.map((l) => String(l.id)));
  const known = new Set(choices.terminals.map((t) => t.sn));
  const levelIds = [...new Set(v.levelIds)];
  const terminals = [...new Set(v.terminals)];
  if (levelIds.some((id) => !levels.has(id)) || terminals.some((sn) => !known.has(sn))) errors.doors = "Doors: a level or terminal ticked is gone; tick again.";
  else if (levelIds.length === 0 && terminals.length === 0) errors.doors = "Doors: tick at least one access level or terminal.";
  const uses = Number(v.uses);
  if (!v.unlimited && !(/^\d{1,7}$/.test(v.uses.trim()) && uses >= 1 && uses <= USES_MAX)) errors.uses = `Uses: a whole number from 1 to ${USES_MAX}, or tick "Any number".`;
  if (Object.keys(errors).length > 0) return { ok: false as const, errors };
  return {
    ok: true as const,
    input: { name, validFrom: v.validFrom.trim(), validTo: v.validTo.trim(), levelIds: levelIds.map(Number), terminals, uses: v.unlimited ? null : uses },
  };
}

export function PassEditor(props: { csrf: string; values: PassValues; errors: FormErrors; choices: Choices }) {
  const { values, errors, choices } = props;
  const invalid = (field: string) => (errors[field] ? { "aria-invalid": "true", "aria-describedby": `f-${field}-error` } : {});
  return (
    <form method="post" action={LIST} class="panel stack form-grid" aria-label="New pass">
      <CsrfField token={props.csrf} />
      <FormProblems heading="The pass was not made:" errors={errors} />
      <NameField label="Visitor's name" value={values.name} error={errors.name} />
      <div class="field">
        <label for="f-validFrom">Valid from</label>
        <input id="f-validFrom" name="validFrom" type="datetime-local" value={values.validFrom} required {...invalid("validFrom")} />
        <FieldError id="f-validFrom-error" text={errors.validFrom} />
      </div>
      <div class="field">
        <label for="f-validTo">Valid until</label>
        <input id="f-validTo" name="validTo" type="datetime-local" value={values.validTo} required {...invalid("validTo")} />
        <FieldError id="f-validTo-error" text={errors.validTo} />
        <p class="hint">Site time, both minutes included.</p>
      </div>
      <fieldset class="plain-fieldset" id="f-doors" tabindex={-1} aria-describedby={errors.doors ? "f-doors-error" : undefined}>
        <legend class="label">Doors</legend>
        <FieldError id="f-doors-error" text={errors.doors} />
        {choices.levels.length > 0 ? (
          <div class="checks" role="group" aria-label="Access levels">
            {choices.levels.map((l) => (
              <label>
                <input type="checkbox" name="levelId" value={String(l.id)} checked={values.levelIds.includes(String(l.id))} /> Level {l.name}
              </label>
            ))}
          </div>
        ) : null}
        {choices.terminals.length === 0 ? (
          <p class="muted">No terminal has connected yet.</p>
        ) : (
          <TerminalChecks terminals={choices.terminals} selected={values.terminals} />
        )}
        <p class="hint">A level's doors open on its schedule; a terminal ticked here opens at any time the pass is valid.</p>
      </fieldset>
      <div class="field">
        <label for="f-uses">Uses</label>
        <input id="f-uses" name="uses" type="number" min="1" max={String(USES_MAX)} value={values.uses} {...invalid("uses")} />
        <FieldError id="f-uses-error" text={errors.uses} />
      </div>
      <div class="field field-check">
        <input id="f-unlimited" name="unlimited" type="checkbox" checked={values.unlimited} />
        <label for="f-unlimited">Any number of uses</label>
      </div>
      <div>
        <button type="submit" class="btn btn-primary">
          Make pass
        </button>
      </div>
    </form>
  );
}
