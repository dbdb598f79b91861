/**
 * The person page's "On terminals" panel: the terminals holding the person, and the admin's form
 * to push them to (or resync) terminals, posted to people.tsx.
 */
import type { TerminalRow } from "../../store/schema.ts";
import { MANY_TERMINALS } from "../components.tsx";
import { CsrfField } from "../layout.tsx";

export function PersonTerminalsPanel({ enrollid, holders, terminals, csrf }: { enrollid: number; holders: readonly string[]; terminals: readonly TerminalRow[]; csrf: string | null }) {
  const names = new Map(terminals.map((t) => [t.sn, t.name || t.sn]));
  const approved = terminals.filter((t) => t.approval === "approved");
  return (
    <section class="panel">
      <h2>On terminals</h2>
      {holders.length === 0 ? (
        <p class="muted">No terminal holds this person yet.</p>
      ) : (
        <ul class="chips" aria-label="Terminals holding this person">
          {holders.map((sn) => (
            <li class="chip-item">
              <a href={`/terminals/${encodeURIComponent(sn)}`}>{names.get(sn) ?? sn}</a>
            </li>
          ))}
        </ul>
      )}
      {csrf !== null && terminals.length > 0 ? (
        <form method="post" action={`/people/${enrollid}/push`} class="stack push-form">
          <CsrfField token={csrf} />
          <fieldset class="plain-fieldset">
            <legend class="label">Push to terminals</legend>
            {approved.length > MANY_TERMINALS ? (
              // Issue 13: not a checkbox per terminal of a 20,000-terminal site; the serial numbers are typed.
              <div class="field">
                <label for="f-push-sn">Serial numbers, separated by spaces or commas</label>
                <textarea id="f-push-sn" name="sn" rows={2} maxlength={10_000}>
                  {holders.join(" ")}
                </textarea>
              </div>
            ) : (
              <div class="checks">
                {approved.map((t) => (
                  <label>
                    <input type="checkbox" name="sn" value={t.sn} checked={holders.includes(t.sn)} /> {t.name || t.sn}
                  </label>
                ))}
              </div>
            )}
          </fieldset>
          <div>
            <button type="submit" class="btn btn-plain">
              Push / resync
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
