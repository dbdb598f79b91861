/**
 * What the CSV import (people-import.tsx) and the saved HR sources (import-sources.tsx) share: the
 * run options, the push-to field, the dry run's plan and an applied run's outcome.
 */
import type { Child } from "hono/jsx";
import type { ImportRun, PlanView } from "../../app/people-import.ts";
import { serialNumber } from "../../protocol/index.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { Badge, MANY_TERMINALS, typedSerials } from "../components.tsx";
import { CsrfField } from "../layout.tsx";
import { Table } from "../table.tsx";
import { plural } from "../../lib/plural.ts";

/** The run options every import form carries (checkbox "on", terminal serials). */
export function importOptions(form: FormData): { dryRun: boolean; disableMissing: boolean; pushTo: string[] } {
  // A checkbox each, or (a site with many terminals) one box of serial numbers separated by spaces or commas.
  const pushTo = typedSerials(form.getAll("push_to")).flatMap((v) => {
    const sn = serialNumber.safeParse(v);
    return sn.success ? [sn.data] : [];
  });
  return { dryRun: form.get("mode") !== "apply", disableMissing: form.get("disable_missing") === "on", pushTo };
}

/**
 * The dry run's options, applied unchanged (the plan shown was made with them). `takesNoNames`:
 * the terminals known not to take name-only users (`Store.people.namesRefused`).
 */
export function CarriedOptions({ disableMissing, pushTo, takesNoNames }: { disableMissing: boolean; pushTo: readonly string[]; takesNoNames: readonly string[] }) {
  const refusing = pushTo.filter((sn) => takesNoNames.includes(sn));
  const taking = pushTo.filter((sn) => !takesNoNames.includes(sn));
  const said = [
    disableMissing ? "People missing from the source will be disabled." : "",
    pushTo.length === 0 ? "New people are not sent to any terminal yet." : "",
    taking.length > 0
      ? `New people have no card, PIN, fingerprint or face yet (an import brings none), so they are sent to ${taking.join(", ")} by name only: listed there, they cannot verify until each has a card or PIN (set on their page). A terminal that does not take name-only users gets nothing, and the job says so.`
      : "",
    refusing.length > 0
      ? `${refusing.join(", ")} ${refusing.length === 1 ? "does" : "do"} not take name-only users, so new people are not sent there until each has a card or PIN (set on their page).`
      : "",
  ];
  return (
    <>
      {disableMissing ? <input type="hidden" name="disable_missing" value="on" /> : null}
      {pushTo.map((sn) => (
        <input type="hidden" name="push_to" value={sn} />
      ))}
      <p class="muted">{said.filter((t) => t !== "").join(" ")}</p>
    </>
  );
}

/** Which terminals receive the people an import creates (others get updates through the people sync). */
export function PushToField({ terminals, checked }: { terminals: TerminalRow[]; checked: readonly string[] }) {
  const approved = terminals.filter((t) => t.approval === "approved");
  if (approved.length === 0) return null;
  if (approved.length > MANY_TERMINALS) {
    // Issue 13: 20,000 checkboxes are a page of megabytes; the serial numbers are typed instead.
    return (
      <div class="field">
        <label for="f-push-to">Send new people to terminals (serial numbers, separated by spaces or commas)</label>
        <textarea id="f-push-to" name="push_to" rows={2} maxlength={10_000}>
          {checked.join(" ")}
        </textarea>
        <p class="hint">Changes to people a terminal already holds reach it anyway.</p>
      </div>
    );
  }
  return (
    <fieldset class="plain-fieldset">
      <legend class="label">Send new people to terminals</legend>
      <div class="checks">
        {approved.map((t) => (
          <label>
            <input type="checkbox" name="push_to" value={t.sn} checked={checked.includes(t.sn)} /> {t.name || t.sn}
          </label>
        ))}
      </div>
      <p class="hint">Changes to people a terminal already holds reach it anyway.</p>
    </fieldset>
  );
}

function ChangeList({ changes }: { changes: Record<string, [unknown, unknown]> }) {
  const show = (v: unknown) => (v === null || v === undefined || v === "" ? "—" : String(v));
  return (
    <ul class="change-list">
      {Object.entries(changes).map(([field, [before, after]]) => (
        <li>
          {field}: <del>{show(before)}</del> → <ins>{show(after)}</ins>
        </li>
      ))}
    </ul>
  );
}

type Change = PlanView["creates"][number];

function ChangeTable({ title, kind, rows, showChanges }: { title: string; kind: string; rows: Change[]; showChanges: boolean }) {
  if (rows.length === 0) return null;
  return (
    <section class="panel" aria-label={title} data-plan={kind}>
      <h2>
        {title} <span class="tab-count">{rows.length}</span>
      </h2>
      <Table
        rows={rows}
        row={(r) => ({ "data-external-id": r.external_id })}
        columns={[
          { head: "Line", class: "mono", cell: (r) => r.line ?? "—" },
          { head: "Enroll id", class: "mono", cell: (r) => r.enrollid },
          { head: "External id", class: "mono", cell: (r) => r.external_id },
          { head: "Name", cell: (r) => r.name },
          showChanges && { head: "Changes", cell: (r) => <ChangeList changes={r.changes} /> },
        ]}
      />
    </section>
  );
}

/** After a dry run: the same import once more, applied (`children` carry what it needs). */
export function ApplyForm({ action, csrf, cancel, children }: { action: string; csrf: string; cancel: string; children: Child }) {
  return (
    <form method="post" action={action} class="stack" aria-label="Apply the import">
      <CsrfField token={csrf} />
      <input type="hidden" name="mode" value="apply" />
      {children}
      <div>
        <button type="submit" class="btn btn-primary">
          Apply these changes
        </button>{" "}
        <a class="btn btn-plain" href={cancel}>
          Cancel
        </a>
      </div>
    </form>
  );
}

/** A dry run's plan or an applied run's outcome; `applyForm` is offered after a dry run with changes. */
export function ImportResult({ run, applyForm }: { run: ImportRun; applyForm: Child }) {
  const s = run.summary;
  const changes = s.creates + s.updates + s.disables;
  return (
    <>
      <section class="panel" aria-labelledby="summary-h" data-panel="import-summary">
        <h2 id="summary-h">{run.dry_run ? "Dry run: nothing was changed yet" : "Import applied"}</h2>
        <p class="chips" data-summary>
          <Badge tone="info">{s.creates} to create</Badge> <Badge tone="info">{s.updates} to update</Badge> <Badge tone={s.disables > 0 ? "warn" : "muted"}>{s.disables} to disable</Badge>{" "}
          <Badge tone="muted">{s.unchanged} unchanged</Badge> <Badge tone={s.errors > 0 ? "error" : "ok"}>{s.errors} bad</Badge>
        </p>
        {run.dry_run ? (
          changes > 0 ? applyForm : <p class="muted">Nothing to change.</p>
        ) : (
          <>
            <p data-applied>
              Applied {run.applied} of {plural(changes, "change")}.
              {run.jobs.length > 0 ? (
                <>
                  {" "}Carrying them to terminals:{" "}
                  {run.jobs.map((id) => (
                    <>
                      <a href={`/jobs/${id}`}>job {id}</a>{" "}
                    </>
                  ))}
                </>
              ) : null}
            </p>
            {run.failed.length > 0 ? (
              <ul class="tone-error">
                {run.failed.map((f) => (
                  <li>
                    {f.external_id} ({f.enrollid}): {f.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
      </section>
      {run.errors.length > 0 ? (
        <section class="panel" aria-labelledby="errors-h" data-plan="errors">
          <h2 id="errors-h">
            Bad entries, not imported <span class="tab-count">{run.errors.length}</span>
          </h2>
          <Table
            rows={run.errors}
            row={(e) => ({ "data-line": String(e.line) })}
            columns={[
              { head: "Line", class: "mono", cell: (e) => e.line },
              { head: "External id", class: "mono", cell: (e) => e.external_id ?? "—" },
              { head: "Problem", class: "tone-error", cell: (e) => e.message },
            ]}
          />
        </section>
      ) : null}
      <ChangeTable title={run.dry_run ? "To create" : "Created"} kind="creates" rows={run.creates} showChanges={false} />
      <ChangeTable title={run.dry_run ? "To update" : "Updated"} kind="updates" rows={run.updates} showChanges />
      <ChangeTable title={run.dry_run ? "To disable (missing from the source)" : "Disabled"} kind="disables" rows={run.disables} showChanges={false} />
    </>
  );
}
