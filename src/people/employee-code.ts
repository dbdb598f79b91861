import type { PersonRow } from "../store/schema.ts";

/**
 * A person's code in HR systems (BioTime's `emp_code`, an HR destination's employee id by
 * default): the payroll number where one is set, else the enroll id.
 */
export function empCode(enrollid: number, person: PersonRow | undefined): string {
  return person?.externalId ?? String(enrollid);
}
