/**
 * The weekly editor of an access schedule: seven rows (Monday first, as the API's "1"…"7") of five
 * from–to slots, because a terminal's day zone holds five sections: the form cannot ask for a
 * sixth. `readScheduleForm` turns the posted slots into the use case's input or into problems
 * keyed by the field they belong to, so the page is shown again with what was typed and each
 * message beside its row; the use case (the model's schema) has the last word.
 */
import { MAX_WINDOWS_PER_DAY } from "../../access/index.ts";
import type { AccessScheduleRow, ScheduleDays } from "../../store/access-contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { CsrfField } from "../layout.tsx";

export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
const DAYS = ["1", "2", "3", "4", "5", "6", "7"] as const;
const SLOTS = Array.from({ length: MAX_WINDOWS_PER_DAY }, (_, i) => i + 1);
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** What the model accepts for a name (access/model.ts). */
export const NAME_MAX = 64;

/** The form as typed: field name → text. */
export type FormValues = Record<string, string>;
/** Problems by field ("name", "d3" for Wednesday's row, "form" for the whole). */
export type FormErrors = Record<string, string>;

const slotField = (day: string, slot: number, end: "from" | "to") => `d${day}-${slot}-${end}`;

/** A stored schedule as the form's fields. */
export function scheduleValues(s: Pick<AccessScheduleRow, "name" | "days" | "holidaysClosed">): FormValues {
  const out: FormValues = { name: s.name };
  if (s.holidaysClosed) out.holidaysClosed = "on";
  for (const day of DAYS) {
    s.days[day].forEach((w, i) => {
      const [from = "", to = ""] = w.split("-");
      out[slotField(day, i + 1, "from")] = from;
      out[slotField(day, i + 1, "to")] = to;
    });
  }
  return out;
}

/** Browsers may send seconds ("09:00:00") from a time input. */
function hhmm(text: string): string | null {
  const v = text.trim();
  const head = v.slice(0, 5);
  return HHMM.test(head) && (v.length === 5 || /^:00$/.test(v.slice(5))) ? head : null;
}

export type ScheduleForm = { ok: true; input: { name: string; days: ScheduleDays; holidaysClosed: boolean } } | { ok: false; errors: FormErrors };

/** The posted form as createSchedule/updateSchedule's input, or every problem, by field. */
export function readScheduleForm(form: FormValues): ScheduleForm {
  const errors: FormErrors = {};
  const name = (form.name ?? "").trim();
  if (name === "") errors.name = "Name: fill this in.";
  else if (name.length > NAME_MAX) errors.name = `Name: use at most ${NAME_MAX} characters.`;
  const days = Object.fromEntries(DAYS.map((d) => [d, [] as string[]])) as ScheduleDays;
  DAYS.forEach((day, i) => {
    const problems: string[] = [];
    for (const slot of SLOTS) {
      const rawFrom = (form[slotField(day, slot, "from")] ?? "").trim();
      const rawTo = (form[slotField(day, slot, "to")] ?? "").trim();
      if (rawFrom === "" && rawTo === "") continue;
      const from = hhmm(rawFrom);
      const to = hhmm(rawTo);
      if (rawFrom === "" || rawTo === "") problems.push(`window ${slot} needs both a start and an end`);
      else if (from === null || to === null) problems.push(`window ${slot}: times are HH:MM, 00:00 to 23:59`);
      else if (from >= to) problems.push(`window ${slot}: the start (${from}) must be before the end (${to})`);
      else days[day].push(`${from}-${to}`);
    }
    if (problems.length > 0) errors[`d${day}`] = `${WEEKDAY_NAMES[i]}: ${problems.join("; ")}.`;
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { name, days, holidaysClosed: form.holidaysClosed === "on" } };
}

/** A refused form's summary: each problem, linking to its field (`#f-<field>`). */
export function FormProblems({ heading, errors }: { heading: string; errors: FormErrors }) {
  const problems = Object.entries(errors);
  return problems.length > 0 ? (
    <div class="flash flash-error" role="alert" data-form-errors="">
      <p>{heading}</p>
      <ul>
        {problems.map(([field, text]) => (
          <li>
            <a href={`#f-${field}`}>{text}</a>
          </li>
        ))}
      </ul>
    </div>
  ) : null;
}

/** One field's problem, beside it (the field names it in `aria-describedby`). */
export function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <p class="field-error" id={id}>
      {text}
    </p>
  ) : null;
}

/** The name an access form starts with, its problem beside it. */
export function NameField({ label, value, error, wide }: { label: string; value: string; error: string | undefined; wide?: boolean }) {
  return (
    <div class={wide ? "field form-grid" : "field"}>
      <label for="f-name">{label}</label>
      <input id="f-name" name="name" value={value} required maxlength={NAME_MAX} aria-invalid={error ? "true" : undefined} aria-describedby={error ? "f-name-error" : undefined} />
      <FieldError id="f-name-error" text={error} />
    </div>
  );
}

/** A tick box per terminal, for a site with few enough of them (`MANY_TERMINALS`). */
export function TerminalChecks({ terminals, selected }: { terminals: readonly TerminalRow[]; selected: readonly string[] }) {
  return (
    <div class="checks" role="group" aria-label="Terminals">
      {terminals.map((t) => (
        <label>
          <input type="checkbox" name="sn" value={t.sn} checked={selected.includes(t.sn)} /> {t.name ? `${t.name} (${t.sn})` : t.sn}
        </label>
      ))}
    </div>
  );
}

/** The problems first (a summary linking to each row), then the form. */
export function ScheduleEditor(props: { action: string; csrf: string; values: FormValues; errors: FormErrors; submit: string }) {
  const { values, errors } = props;
  return (
    <form method="post" action={props.action} class="panel stack" aria-label={props.submit}>
      <CsrfField token={props.csrf} />
      <FormProblems heading="The schedule was not saved:" errors={errors} />
      <NameField label="Name" value={values.name ?? ""} error={errors.name} wide />
      <fieldset class="plain-fieldset">
        <legend class="label">Opening windows (from–to, both minutes included: 08:00–18:00 opens until 18:00:59; at most {MAX_WINDOWS_PER_DAY} a day, what a terminal holds)</legend>
        <div class="week-editor">
          {DAYS.map((day, i) => {
            const error = errors[`d${day}`];
            const described = error ? `f-d${day}-error` : undefined;
            return (
              <div class="week-day" data-day={day}>
                <span class="week-day-name" id={`f-d${day}`} tabindex={-1}>
                  {WEEKDAY_NAMES[i]}
                </span>
                <div class="week-windows">
                  {SLOTS.map((slot) => {
                    const from = slotField(day, slot, "from");
                    const to = slotField(day, slot, "to");
                    return (
                      <span class="week-window">
                        <input type="time" name={from} value={values[from] ?? ""} aria-label={`${WEEKDAY_NAMES[i]} window ${slot} from`} aria-invalid={error ? "true" : undefined} aria-describedby={described} />
                        {"–"}
                        <input type="time" name={to} value={values[to] ?? ""} aria-label={`${WEEKDAY_NAMES[i]} window ${slot} to`} aria-invalid={error ? "true" : undefined} aria-describedby={described} />
                      </span>
                    );
                  })}
                </div>
                {error ? (
                  <p class="field-error" id={`f-d${day}-error`}>
                    {error}
                  </p>
                ) : null}
              </div>
            );
          })}
        </div>
      </fieldset>
      <div class="field field-check">
        <input type="checkbox" id="f-holidaysClosed" name="holidaysClosed" checked={values.holidaysClosed === "on"} />
        <label for="f-holidaysClosed">Holidays close this schedule (the site-wide holidays of Timesheets → Holidays)</label>
      </div>
      <div>
        <button type="submit" class="btn btn-primary">
          {props.submit}
        </button>
      </div>
    </form>
  );
}

/** "Mon 08:00–18:00 · Sat 08:00–12:00": a schedule in one line for lists. */
export function weekText(days: ScheduleDays): string {
  const parts = DAYS.flatMap((d, i) => (days[d].length === 0 ? [] : [`${WEEKDAY_NAMES[i]?.slice(0, 3)} ${days[d].map((w) => w.replace("-", "–")).join(", ")}`]));
  return parts.length === 0 ? "Never open" : parts.join(" · ");
}
