/**
 * A terminal's access mode on its page (issue 16): who decides whether a punch opens the door.
 * The admin must be told what no protocol field can do: the unit follows the server's answer
 * only with its own menu option "Server approval" on, and gives up on an answer after about 3 s.
 */
import { z } from "zod";
import type { AccessMode } from "../../store/access-contract.ts";
import { Badge } from "../components.tsx";
import { CsrfField } from "../layout.tsx";

export const accessModeForm = z.enum(["terminal", "server"]);

const MODES: Array<{ id: AccessMode; label: string; hint: string }> = [
  { id: "terminal", label: "The terminal", hint: "It decides from what it holds; the server answers every punch with access." },
  { id: "server", label: "The server", hint: "Each punch is decided from the access levels and schedules here, at the punch's own time; a refused punch is stored, marked refused with the reason." },
];

export function AccessModePanel({ sn, mode, csrf }: { sn: string; mode: AccessMode; csrf: string | null }) {
  const note = (
    <p class="hint" data-server-approval-note="">
      The unit only follows the server's decision when its own menu option <strong>Server approval</strong> is on: set it on the terminal itself (no
      command can turn it on). With it on, the unit waits about 3 s for the answer, then shows an error and sends the same punch again.
    </p>
  );
  return (
    <section class="panel" aria-labelledby="access-mode-title">
      <h2 id="access-mode-title">Access decisions</h2>
      {csrf ? (
        <form method="post" action={`/terminals/${encodeURIComponent(sn)}/access-mode`} class="stack">
          <CsrfField token={csrf} />
          <fieldset class="plain-fieldset">
            <legend class="label">Who decides whether a punch opens the door</legend>
            {MODES.map((m) => (
              <div class="field field-check">
                <input type="radio" id={`f-accessMode-${m.id}`} name="accessMode" value={m.id} checked={mode === m.id} />
                <label for={`f-accessMode-${m.id}`}>
                  {m.label} <span class="muted">— {m.hint}</span>
                </label>
              </div>
            ))}
          </fieldset>
          {note}
          <div>
            <button type="submit" class="btn btn-plain">
              Save access mode
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>
            Decided by <Badge tone={mode === "server" ? "info" : "muted"}>{mode === "server" ? "the server" : "the terminal"}</Badge>
          </p>
          {note}
        </>
      )}
    </section>
  );
}
