/**
 * What a webhook destination's pages and an HR destination's pages show alike: the delivery
 * status rows, the dead letters panel with its tabs, table and pager, the settings form's frame
 * (name and URL first; at its end where to start, enabled, the submit button), the table listing
 * a kind's destinations and the layout of a destination's page. Each page keeps what is its kind's own.
 */
import type { Child } from "hono/jsx";
import { z } from "zod";
import type { SiteClock } from "../../protocol/index.ts";
import type { Page } from "../../store/contract.ts";
import { ActionButton, ago, Badge, EmptyState, Field, Pager, RadioField, siteTime } from "../components.tsx";
import { CsrfField, FlashMessage } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { type Column, Table } from "../table.tsx";

/** A destination's delivery status, whatever its kind spells the fields. */
export interface DeliveryStatus {
  backlog: number;
  delivered: number;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  failedAttempts: number;
  /** Shown as "n of max" when the kind always gives up; null: retries for ever. */
  maxAttempts: number | null;
  nextAttemptAt: number | null;
  instance: string | null;
}

/** The status rows from "Waiting" to "Sent by"; `afterDelivered`: the kind's own rows there. */
export function DeliveryStatusRows(props: { status: DeliveryStatus; clock: SiteClock; now: number; cluster: boolean; afterDelivered?: Child }) {
  const { status: s, clock, now } = props;
  return (
    <>
      <dt>Waiting</dt>
      <dd data-backlog>{s.backlog}</dd>
      <dt>Delivered</dt>
      <dd data-delivered>{s.delivered}</dd>
      {props.afterDelivered}
      <dt>Last success</dt>
      <dd data-last-success>{s.lastSuccessAt ? `${siteTime(clock, s.lastSuccessAt)} (${ago(s.lastSuccessAt, now)})` : "never"}</dd>
      <dt>Last error</dt>
      <dd data-last-error>
        {s.lastError ? (
          <>
            <span class="tone-error">{s.lastError}</span> <span class="muted">{siteTime(clock, s.lastErrorAt)}</span>
          </>
        ) : (
          "none"
        )}
      </dd>
      {s.failedAttempts > 0 ? (
        <>
          <dt>Failed attempts</dt>
          <dd>
            {s.maxAttempts === null ? s.failedAttempts : `${s.failedAttempts} of ${s.maxAttempts}`}
            {s.nextAttemptAt ? `, next at ${siteTime(clock, s.nextAttemptAt)}` : ""}
          </dd>
        </>
      ) : null}
      {props.cluster ? (
        <>
          <dt>Sent by</dt>
          <dd class="mono" data-instance>{s.instance ?? "no instance yet"}</dd>
        </>
      ) : null}
    </>
  );
}

export type LetterStatus = "dead" | "delivered";

const DEAD_PAGE = 20;
const letterStatus = z.enum(["dead", "delivered"]).catch("dead");

/** The dead letters a destination's page shows: the tab, its page and the pager's query. */
export type LetterPage<L> = { status: LetterStatus; letters: Page<L>; query: URLSearchParams };

/** The page of dead letters a destination's page shows, as its query asks (`status`, `cursor`). */
export async function deadLetterPage<L>(param: (name: string) => string | undefined, load: (filter: { status: LetterStatus; limit: number; cursor?: string }) => Promise<Page<L>>): Promise<LetterPage<L>> {
  const status = letterStatus.parse(param("status"));
  const { page: letters, query } = await pageFromQuery(param("cursor"), (cursor) => load({ status, limit: DEAD_PAGE, ...(cursor ? { cursor } : {}) }), { status });
  return { status, letters, query };
}

/** The list of a kind's destinations: each its name (a link) and address, then the kind's columns. */
export function DestinationTable<T extends { id: number; name: string; url: string }>(props: {
  items: T[];
  empty: Child;
  href: (d: T) => string;
  /** The row's data attribute that tests and scripts find it by, e.g. `data-webhook`. */
  rowData: string;
  columns: Column<T>[];
}) {
  const destination: Column<T> = {
    head: "Destination",
    cell: (d) => (
      <>
        <a href={props.href(d)}>{d.name}</a>
        <div class="muted small mono">{d.url}</div>
      </>
    ),
  };
  return <Table rows={props.items} empty={props.empty} row={(d) => ({ [props.rowData]: d.name })} columns={[destination, ...props.columns]} />;
}

interface DeadLetterFields {
  id: number;
  status: LetterStatus;
  lastError: string;
}

/**
 * The dead letters panel: tabs for those not delivered and those a retry delivered, the page of
 * them (a Retry button per dead one for admins, after column `actionsAfter`) and the pager.
 */
export function DeadLettersPanel<L extends DeadLetterFields>(props: {
  intro: string;
  href: string;
  status: LetterStatus;
  deadCount: number;
  letters: Page<L>;
  query: URLSearchParams;
  columns: Column<L>[];
  actionsAfter: number;
  isAdmin: boolean;
  csrf: string;
}) {
  const { href, status, letters } = props;
  const actions = props.isAdmin && status === "dead";
  return (
    <section class="panel" aria-labelledby="dead-h" data-panel="dead-letters">
      <h2 id="dead-h">Dead letters</h2>
      <p class="muted">{props.intro}</p>
      <nav class="tabs" aria-label="Dead letters">
        <a class={status === "dead" ? "tab active" : "tab"} href={`${href}?status=dead`}>
          Not delivered <span class="tab-count">{props.deadCount}</span>
        </a>
        <a class={status === "delivered" ? "tab active" : "tab"} href={`${href}?status=delivered`}>
          Delivered by a retry
        </a>
      </nav>
      <Table
        rows={letters.items}
        empty={<EmptyState title={status === "dead" ? "No dead letters" : "No dead letter was retried successfully"} />}
        row={(l) => ({ "data-letter": l.id })}
        columns={[
          ...props.columns.slice(0, props.actionsAfter),
          actions && {
            head: <span class="sr-only">Actions</span>,
            class: "row-actions",
            cell: (l) => <ActionButton action={`${href}/dead-letters/${l.id}/retry`} csrf={props.csrf} label="Retry" />,
          },
          ...props.columns.slice(props.actionsAfter),
        ]}
      />
      <Pager base={href} query={props.query} next={letters.next} shown={letters.items.length} />
    </section>
  );
}

/** A letter's outcome: delivered by a retry, or the last error. */
export function LetterResult(props: { letter: DeadLetterFields }) {
  return props.letter.status === "delivered" ? <Badge tone="ok">Delivered</Badge> : <span class="tone-error">{props.letter.lastError}</span>;
}

/**
 * A destination's page below its title: the status panel (the kind's state badge, then its rows),
 * the dead letters under it, and the settings form beside them.
 */
export function DestinationLayout(props: { subtitle: Child; state: Child; statusRows: Child; deadLetters: Child; settings: Child }) {
  return (
    <>
      <p class="subtitle">{props.subtitle}</p>
      <div class="grid-2">
        <div>
          <section class="panel" aria-labelledby="status-h" data-panel="status">
            <h2 id="status-h">Status</h2>
            <dl class="kv kv-wide">
              <dt>State</dt>
              <dd>{props.state}</dd>
              {props.statusRows}
            </dl>
          </section>
          {props.deadLetters}
        </div>
        <section class="panel" aria-labelledby="settings-h">
          <h2 id="settings-h">Settings</h2>
          {props.settings}
        </section>
      </div>
    </>
  );
}

/** A destination's settings form: its name and URL, then the kind's own fields and `DestinationFormEnd`; a viewer's is disabled. */
export function DestinationForm(props: {
  action: string;
  csrf: string;
  label: string;
  error?: string | undefined;
  disabled: boolean;
  name: { value: string; placeholder: string };
  url: { value: string; placeholder: string; hint: string };
  children: Child;
}) {
  return (
    <form method="post" action={props.action} class="stack form-grid" aria-label={props.label}>
      <CsrfField token={props.csrf} />
      <FlashMessage flash={props.error ? { kind: "error", text: props.error } : null} />
      <fieldset disabled={props.disabled} class="plain-fieldset">
        <Field label="Name" name="name" value={props.name.value} required placeholder={props.name.placeholder} />
        <Field label="URL" name="url" type="url" value={props.url.value} required placeholder={props.url.placeholder} hint={props.url.hint} />
        {props.children}
      </fieldset>
    </form>
  );
}

/** The end of a destination's settings form: where a new one starts, enabled, and the button. */
export function DestinationFormEnd(props: { existing: boolean; start: "now" | "beginning"; enabled: boolean; disabled: boolean; startLabels: { now: string; beginning: string } }) {
  return (
    <>
      {props.existing ? null : (
        <RadioField
          name="start"
          label="Start with"
          value={props.start}
          options={[
            ["now", props.startLabels.now],
            ["beginning", props.startLabels.beginning],
          ]}
        />
      )}
      <div class="field field-check">
        <input type="checkbox" id="f-enabled" name="enabled" checked={props.enabled} />
        <label for="f-enabled">Enabled</label>
      </div>
      {props.disabled ? null : (
        <div>
          <button type="submit" class="btn btn-primary">
            {props.existing ? "Save destination" : "Add destination"}
          </button>
        </div>
      )}
    </>
  );
}
