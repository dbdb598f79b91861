/** A terminal's page: its state, commands, details, capacity, door, groups, command history and devinfo. */
import type { Child } from "hono/jsx";
import type { TerminalRow } from "../../store/schema.ts";
import { terminalStatus } from "../../store/terminal-status.ts";
import type { SiteClock } from "../../protocol/index.ts";
import { ActionButton, ago, Badge, Capacity, EmptyState, Field, siteTime } from "../components.tsx";
import { CsrfField } from "../layout.tsx";
import { ApprovalButtons, statusText, statusTone, terminalHref } from "./terminal-list.tsx";
import { CommandButtons } from "./terminal-commands.tsx";

/** The page's actions (admins): approve, block, and accept replaced hardware while a mismatch is stored. */
export function TerminalActions({ t, csrf }: { t: TerminalRow; csrf: string }) {
  return (
    <>
      <ApprovalButtons t={t} csrf={csrf} />
      {t.mismatchAt !== null ? (
        <ActionButton
          action={`${terminalHref(t.sn)}/replaced-hardware`}
          csrf={csrf}
          label="Replaced hardware"
          tone="danger"
          confirm={`Accept the other hardware as ${t.sn}? Only if this terminal's unit was really replaced: from then on the old unit is the one refused.`}
        />
      ) : null}
    </>
  );
}

function MismatchAlert({ t, clock, now, approvalNeeded }: { t: TerminalRow; clock: SiteClock; now: number; approvalNeeded: boolean }) {
  return (
    <p class="alert alert-error" role="alert">
      Other hardware registered as this terminal {ago(t.mismatchAt, now)} ({siteTime(clock, t.mismatchAt)}) from {t.mismatchAddr ?? "an unknown address"}: cpusn{" "}
      <span class="mono">{t.mismatchCpusn ?? "—"}</span>, MAC <span class="mono">{t.mismatchMac ?? "—"}</span>.{" "}
      {approvalNeeded ? "While terminals need approval, it is refused." : "Since new terminals are let in without approval, so is it."} If this unit was replaced, accept the
      new one with “Replaced hardware”; otherwise something on the network is posing as this terminal.
    </p>
  );
}

function DetailsForm({ t, csrf }: { t: TerminalRow; csrf: string }) {
  return (
    <form method="post" action={`${terminalHref(t.sn)}/edit`} class="stack">
      <CsrfField token={csrf} />
      <Field label="Name" name="name" value={t.name} hint="Shown instead of the serial number." />
      <Field label="Location" name="location" value={t.location} />
      <div class="field field-check">
        <input type="checkbox" id="f-nosenduser" name="nosenduser" checked={t.nosenduser} />
        <label for="f-nosenduser">Do not accept users enrolled on the keypad (nosenduser)</label>
      </div>
      <div class="field field-check">
        <input type="checkbox" id="f-site_entrance" name="site_entrance" checked={t.siteEntrance} />
        <label for="f-site_entrance">Site entrance: its punches say who is inside (in or out as Timesheets → Rules reads this terminal)</label>
      </div>
      <div>
        <button type="submit" class="btn btn-primary">
          Save
        </button>
      </div>
    </form>
  );
}

function DetailsPanel({ t, csrf }: { t: TerminalRow; csrf: string | null }) {
  return (
    <section class="panel">
      <h2>Details</h2>
      {csrf !== null ? (
        <DetailsForm t={t} csrf={csrf} />
      ) : (
        <dl class="kv">
          <dt>Name</dt>
          <dd>{t.name ?? "—"}</dd>
          <dt>Location</dt>
          <dd>{t.location ?? "—"}</dd>
          <dt>Keypad enrolments</dt>
          <dd>{t.nosenduser ? "refused" : "accepted"}</dd>
          <dt>Site entrance</dt>
          <dd>{t.siteEntrance ? "yes" : "no"}</dd>
        </dl>
      )}
      <h3 class="kv-heading">Hardware identity</h3>
      <dl class="kv" aria-label="Hardware identity">
        <dt>Hardware (cpusn)</dt>
        <dd class="mono">{t.cpusn ?? "not sent yet"}</dd>
        <dt>MAC</dt>
        <dd class="mono">{t.mac ?? "not sent yet"}</dd>
      </dl>
    </section>
  );
}

function CapacityPanel({ t }: { t: TerminalRow }) {
  return (
    <section class="panel">
      <h2>Capacity</h2>
      <dl class="kv">
        <dt>Users</dt>
        <dd><Capacity used={t.userUsed} size={t.userSize} label="Users" /></dd>
        <dt>Fingerprints</dt>
        <dd><Capacity used={t.fpUsed} size={t.fpSize} label="Fingerprints" /></dd>
        <dt>Faces</dt>
        <dd><Capacity used={t.faceUsed} size={t.faceSize} label="Faces" /></dd>
        <dt>Cards</dt>
        <dd><Capacity used={t.cardUsed} size={t.cardSize} label="Cards" /></dd>
        <dt>Logs</dt>
        <dd><Capacity used={t.logUsed} size={t.logSize} label="Logs" /></dd>
        <dt>Not yet uploaded</dt>
        <dd>{t.newlogUsed ?? "—"}</dd>
      </dl>
    </section>
  );
}

function DevinfoPanel({ devinfo }: { devinfo: string | null }) {
  const fields = devinfo ? (JSON.parse(devinfo) as Record<string, unknown>) : null;
  return (
    <section class="panel">
      <h2>Device information</h2>
      {fields ? (
        <dl class="kv kv-wide">
          {Object.entries(fields).map(([k, v]) => (
            <>
              <dt class="mono">{k}</dt>
              <dd class="mono">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
            </>
          ))}
        </dl>
      ) : (
        <EmptyState title="No device information yet">The terminal sends it with its registration.</EmptyState>
      )}
    </section>
  );
}

export interface TerminalDetailProps {
  t: TerminalRow;
  clock: SiteClock;
  now: number;
  /** Whether terminals need approval (what the mismatch note says happens to the other hardware). */
  approvalNeeded: boolean;
  /** Null for a viewer: no commands, no form. */
  csrf: string | null;
  /** The panels other pages own (access mode, door settings, groups, command history), in order. */
  panels: Child;
}

export function TerminalDetail({ t, clock, now, approvalNeeded, csrf, panels }: TerminalDetailProps) {
  const status = terminalStatus(t);
  return (
    <>
      {t.mismatchAt !== null ? <MismatchAlert t={t} clock={clock} now={now} approvalNeeded={approvalNeeded} /> : null}
      <p class="subtitle">
        <Badge tone={statusTone[status]}>{statusText[status]}</Badge> <span class="mono">{t.sn}</span> · last seen {status === "online" ? "now" : ago(t.lastSeen, now)} · first
        seen {siteTime(clock, t.firstSeen)}
        {t.remoteAddr ? ` · ${t.remoteAddr}` : ""}
      </p>
      {/* The commands come first: Open door is what an admin opens this page for, also on a phone. */}
      {csrf !== null ? (
        <section class="panel">
          <h2>Commands</h2>
          <CommandButtons sn={t.sn} csrf={csrf} />
        </section>
      ) : null}
      <div class="grid-2">
        <DetailsPanel t={t} csrf={csrf} />
        <CapacityPanel t={t} />
      </div>
      {panels}
      <DevinfoPanel devinfo={t.devinfo} />
    </>
  );
}

/** A terminal that refused a push's names: said, with "Ask again" for an admin (its settings changed, say). */
export function NameRefusalPanel({ sn, csrf }: { sn: string; csrf: string | null }) {
  return (
    <section class="panel" data-name-refusal="">
      <h2>Name-only users</h2>
      <p class="alert alert-warn" role="status">
        This terminal does not take name-only users: it refused a push's names on the firmware it runs. People without a card, PIN, fingerprint or face are not sent
        to it; it is asked again when it registers with other firmware.
      </p>
      {csrf !== null ? (
        <form method="post" action={`${terminalHref(sn)}/ask-names-again`}>
          <CsrfField token={csrf} />
          <button type="submit" class="btn">
            Ask again
          </button>
        </form>
      ) : null}
    </section>
  );
}
