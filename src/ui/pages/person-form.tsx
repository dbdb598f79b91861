/**
 * A person's details form (add and edit) and how its fields become the use case's input; the
 * people pages (people.tsx) post it to app/people.ts.
 */
import { z } from "zod";
import { describeInput, fieldLabel, notADate } from "../../lib/input-problem.ts";
import { ENROLLID_MAX, parseDate } from "../../protocol/index.ts";
import type { PersonInput } from "../../store/commands-contract.ts";
import type { PersonRow } from "../../store/schema.ts";
import { Field } from "../components.tsx";
import { CsrfField } from "../layout.tsx";

/** A person's `admin` level on the terminals, by its number. */
export const ADMIN_LEVELS = ["User", "Administrator", "Super user"];

const optionalDate = z.preprocess(
  (v) => (v === "" ? null : v),
  z
    .string()
    .nullable()
    .transform((s, ctx) => (s === null ? null : (parseDate(s) ?? (ctx.addIssue({ code: "custom", message: notADate(s) }), z.NEVER)))),
);

export const personForm = z.object({
  name: z.string().trim().min(1, "enter a name").max(64, "use at most 64 characters"),
  admin: z.enum(["0", "1", "2"], `choose ${ADMIN_LEVELS.join(", ")}`).transform(Number),
  enabled: z.literal("on").optional(),
  validFrom: optionalDate,
  validTo: optionalDate,
  externalId: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.string().trim().max(100).nullable()),
});
export const newPersonForm = personForm.extend({ enrollid: z.coerce.number().int("a whole number").min(1).max(ENROLLID_MAX) });

export function inputOf(f: z.infer<typeof personForm>): PersonInput {
  return { name: f.name, admin: f.admin, enabled: f.enabled === "on", validFrom: f.validFrom, validTo: f.validTo, externalId: f.externalId };
}

/** The form's labels where they are not the field's name in words. */
const LABELS: Record<string, string> = { enrollid: "Enroll id", admin: "Role on the terminals" };
export const firstIssue = (e: z.ZodError) => describeInput(e, (f) => LABELS[f] ?? fieldLabel(f));

/** The form of a new person (`person` null: the enroll id is asked) or of one; a viewer's is disabled. */
export function PersonForm({ person, csrf, admin }: { person: PersonRow | null; csrf: string; admin: boolean }) {
  return (
    <form method="post" action={person ? `/people/${person.enrollid}` : "/people"} class="stack form-grid">
      <CsrfField token={csrf} />
      <fieldset disabled={!admin} class="plain-fieldset">
        {person ? null : <Field label="Enroll id" name="enrollid" type="number" min={1} required hint="The number the person uses on the terminals." />}
        <Field label="Name" name="name" value={person?.name} required />
        <div class="field">
          <label for="f-admin">Role on the terminals</label>
          <select id="f-admin" name="admin">
            {ADMIN_LEVELS.map((label, i) => (
              <option value={String(i)} selected={(person?.admin ?? 0) === i}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field field-check">
          <input type="checkbox" id="f-enabled" name="enabled" checked={person?.enabled ?? true} />
          <label for="f-enabled">Enabled (may verify on the terminals)</label>
        </div>
        <Field label="Valid from" name="validFrom" type="date" value={person?.validFrom} />
        <Field label="Valid to" name="validTo" type="date" value={person?.validTo} />
        <Field label="External id" name="externalId" value={person?.externalId} hint="Payroll or HR number; a QR code may carry it." />
        {admin ? (
          <div>
            <button type="submit" class="btn btn-primary">
              {person ? "Save" : "Add person"}
            </button>
          </div>
        ) : null}
      </fieldset>
    </form>
  );
}
