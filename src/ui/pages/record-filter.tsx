/**
 * The filter /attendance and /door-events share with their CSV exports (exports.tsx): the query's
 * schema, what the store is asked for, the query string the pager and the export link keep, and
 * the form with its date presets.
 */
import { z } from "zod";
import { enrollidsNamed } from "../../app/people.ts";
import { describeInput, labelled, notADate } from "../../lib/input-problem.ts";
import { DOOR_ALARM_EVENTS, parseDate } from "../../protocol/index.ts";
import type { PunchFilter, Store } from "../../store/contract.ts";
import { TerminalFilter } from "../components.tsx";
import { datePresets } from "../date-presets.ts";

const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);
const date = z.preprocess(
  blankToUndefined,
  z
    .string()
    .transform((s, ctx) => parseDate(s) ?? (ctx.addIssue({ code: "custom", message: notADate(s) }), z.NEVER))
    .optional(),
);

export const recordFilterSchema = z.object({
  from: date,
  to: date,
  enrollid: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(2 ** 31).optional()),
  /** An enroll id (digits) or part of a name, accents and case ignored. */
  person: z.preprocess(blankToUndefined, z.string().trim().min(1).max(100).optional()),
  /** Door events: only those that are alarms. */
  alarms: z.preprocess(blankToUndefined, z.literal("1").optional()),
  /** Attendance: only the punches the server refused at the door. */
  refused: z.preprocess(blankToUndefined, z.literal("1").optional()),
  sn: z.preprocess(blankToUndefined, z.string().max(64).optional()),
  inout: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(255).optional()),
  cursor: z.preprocess(blankToUndefined, z.string().max(200).optional()),
});
export type RecordFilter = z.infer<typeof recordFilterSchema>;

const FILTER_LABEL = labelled({ to: "To (inclusive)", person: "Person", enrollid: "Person", sn: "Terminal", inout: "In/out", alarms: "Alarms only", refused: "Refused only" });
/** A refused filter in words, its field as the filter form labels it ("To (inclusive): 2026-02-30 is not a date"). */
export const filterProblem = (error: z.ZodError) => describeInput(error, FILTER_LABEL);

/** What was typed into a refused filter's text fields, for the form to show again (nothing of it is queried). */
export function typedFilter(query: Record<string, string>): RecordFilter {
  const text = (v: string | undefined) => (v === undefined || v === "" ? undefined : v.slice(0, 100));
  return { from: text(query.from), to: text(query.to), person: text(query.person), sn: text(query.sn) };
}

/** The day after a "YYYY-MM-DD" date: the form's "to" is inclusive, the store's bound exclusive. */
function nextDay(d: string): string {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

const isEnrollid = (person: string) => /^\d{1,10}$/.test(person);

/** The people a name in the person filter stands for (undefined: no name given, or an enroll id). */
export async function peopleOf(store: Store, f: RecordFilter): Promise<readonly number[] | undefined> {
  return f.person === undefined || isEnrollid(f.person) ? undefined : enrollidsNamed(store, f.person);
}

/** `named`: what `peopleOf` found for the filter's name. */
export function storeFilter(f: RecordFilter, limit: number, named?: readonly number[]): PunchFilter {
  const out: PunchFilter = { limit };
  if (f.from) out.from = f.from;
  if (f.to) out.to = nextDay(f.to);
  if (f.enrollid !== undefined) out.enrollid = f.enrollid;
  if (f.person !== undefined && isEnrollid(f.person)) out.enrollid = Number(f.person);
  if (named !== undefined) out.enrollids = named;
  if (f.alarms) out.events = DOOR_ALARM_EVENTS;
  if (f.refused) out.refused = true;
  if (f.sn) out.sn = f.sn;
  if (f.inout !== undefined) out.inout = f.inout;
  if (f.cursor) out.cursor = f.cursor;
  return out;
}

/**
 * What /door-events and its CSV filter by: the dates, alarms only and the terminal, as the page's form
 * offers. Who and refused are a punch's; in/out too: the firmwares disagree on a door event's
 * (PROTOCOL.md §7.6), so it would filter nothing meaningful.
 */
export function doorEventFilter(f: RecordFilter): RecordFilter {
  const { enrollid: _none, person: _nobody, refused: _punchesOnly, inout: _noDirection, ...doors } = f;
  return doors;
}

/** The filter as a query string (without the cursor): for the export link and the pager. */
export function queryOf(f: RecordFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  if (f.enrollid !== undefined) q.set("enrollid", String(f.enrollid));
  if (f.person !== undefined) q.set("person", f.person);
  if (f.alarms) q.set("alarms", f.alarms);
  if (f.refused) q.set("refused", f.refused);
  if (f.sn) q.set("sn", f.sn);
  if (f.inout !== undefined) q.set("inout", String(f.inout));
  return q;
}

/** The filter form: date presets, dates, who and in/out (attendance) or alarms only (door events), terminal. */
export function RecordFilterForm(props: { action: string; filter: RecordFilter; today: string; person: boolean; exportHref: string }) {
  const f = props.filter;
  const presetHref = (from: string, to: string) => `${props.action}?${queryOf({ ...f, from, to }).toString()}`;
  return (
    <>
      <nav class="presets" aria-label="Date presets">
        {datePresets(props.today).map((p) => (
          <a href={presetHref(p.from, p.to)} class="btn btn-plain" aria-current={f.from === p.from && f.to === p.to ? "true" : undefined}>
            {p.label}
          </a>
        ))}
      </nav>
      <form method="get" action={props.action} class="filters" aria-label="Filter">
        <div class="field">
          <label for="f-from">From</label>
          <input id="f-from" type="date" name="from" value={f.from} />
        </div>
        <div class="field">
          <label for="f-to">To (inclusive)</label>
          <input id="f-to" type="date" name="to" value={f.to} />
        </div>
        {props.person ? (
          <>
            <div class="field">
              <label for="f-person">Person (name or enroll id)</label>
              <input id="f-person" type="search" name="person" maxlength={100} value={f.person ?? (f.enrollid === undefined ? undefined : String(f.enrollid))} />
            </div>
            <div class="field field-check">
              <label>
                <input type="checkbox" name="refused" value="1" checked={f.refused === "1"} /> Refused only
              </label>
            </div>
          </>
        ) : (
          <div class="field field-check">
            <label>
              <input type="checkbox" name="alarms" value="1" checked={f.alarms === "1"} /> Alarms only
            </label>
          </div>
        )}
        <TerminalFilter id="f-sn" value={f.sn} />
        {/* A door event's inout means nothing the firmwares agree on (PROTOCOL.md §7.6): punches only. */}
        {props.person ? (
          <div class="field">
            <label for="f-inout">In/out</label>
            <select id="f-inout" name="inout">
              <option value="">In and out</option>
              <option value="0" selected={f.inout === 0}>
                In
              </option>
              <option value="1" selected={f.inout === 1}>
                Out
              </option>
            </select>
          </div>
        ) : null}
        <div class="filter-buttons">
          <button type="submit" class="btn btn-primary">
            Filter
          </button>
          <a href={props.action} class="btn btn-plain">
            Reset
          </a>
          <a href={props.exportHref} class="btn btn-plain" download>
            Export CSV
          </a>
        </div>
      </form>
    </>
  );
}
