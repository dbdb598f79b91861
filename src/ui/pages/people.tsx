/**
 * /people: search, list (with each person's department today), create, edit, disable, delete;
 * their Timesheet panel (department, schedules: ui/timesheets/person-panel.tsx); the credentials each person holds
 * (person-credentials.tsx) and the terminals holding them (person-terminals.tsx); push to terminals with progress.
 * The details form is person-form.tsx. Changes go through the people service, as the REST API's do
 * (audited, carried to terminals).
 */
import { Hono } from "hono";
import { z } from "zod";
import { createPerson, deletePerson, listPeople, pushPeople, updatePerson } from "../../app/people.ts";
import { departmentsOn } from "../../app/timesheets/departments.ts";
import { withoutCredential } from "../../people/jobs.ts";
import type { PersonRow } from "../../store/schema.ts";
import { parsePathId, pathId } from "../../lib/path-id.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Pager, SearchForm, typedSerials } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { credentialLabel } from "../labels.ts";
import { page } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { Table } from "../table.tsx";
import { PersonTimesheet } from "../timesheets/person-panel.tsx";
import { PersonAccessPanel } from "./person-access.tsx";
import { CredentialsPanel } from "./person-credentials.tsx";
import { ADMIN_LEVELS, firstIssue, inputOf, newPersonForm, PersonForm, personForm } from "./person-form.tsx";
import { backToPeople, backToPerson } from "./person-saved.ts";
import { PersonTerminalsPanel } from "./person-terminals.tsx";
import { ENROLLID_MAX } from "../../protocol/index.ts";

const PAGE = 50;
const PHOTO = 50;

const personHref = (id: number) => `/people/${id}`;

/** `?level=`: the holders of an access level (its page links here); anything else is no filter. */
export const levelParam = z.coerce.number().int().min(1).max(2_147_483_647).optional().catch(undefined);

function PeopleActions({ held, filter, admin }: { held: number; filter: Record<string, string>; admin: boolean }) {
  const query = new URLSearchParams(filter).toString();
  return (
    <>
      <a class={`btn ${held > 0 ? "btn-primary" : "btn-plain"}`} href="/people/held" data-held-count={held}>
        Held changes <Badge tone={held > 0 ? "warn" : "muted"}>{held}</Badge>
      </a>
      <a class="btn btn-plain" href={`/people.csv${query ? `?${query}` : ""}`} download>
        Export CSV
      </a>
      {admin ? (
        <>
          <a class="btn btn-plain" href="/integrations/import">
            Import from HR
          </a>
          <a class="btn btn-primary" href="/people/new">
            Add person
          </a>
        </>
      ) : null}
    </>
  );
}

type ListedPerson = PersonRow & { backupnums: number[] };

function PeopleTable({ people, filtered, departmentOf }: { people: ListedPerson[]; filtered: boolean; departmentOf: (p: ListedPerson) => string | undefined }) {
  return (
    <Table
      rows={people}
      row={(p) => ({ "data-enrollid": p.enrollid })}
      empty={
        <EmptyState title={filtered ? "Nobody matches" : "No people yet"}>
          {filtered ? null : "Add people here, import them from a terminal (terminal page → Import people), or enrol them on a terminal's keypad."}
        </EmptyState>
      }
      columns={[
        { head: "Enroll id", class: "mono", cell: (p) => p.enrollid },
        {
          head: "Name",
          cell: (p) => (
            <span class="person-cell">
              {p.backupnums.includes(PHOTO) ? <img class="thumb thumb-small" src={`${personHref(p.enrollid)}/photo`} alt="" loading="lazy" /> : null}
              <span>
                <a href={personHref(p.enrollid)}>{p.name || <span class="muted">(no name)</span>}</a>
                {p.externalId ? <div class="muted small">{p.externalId}</div> : null}
              </span>
            </span>
          ),
        },
        { head: "Department", cell: (p) => departmentOf(p) ?? <span class="muted">—</span> },
        {
          head: "Credentials",
          cell: (p) => (
            <span class="chips">
              {p.backupnums.length === 0 ? <span class="muted">none</span> : p.backupnums.map((b) => <Badge tone="muted">{credentialLabel(b)}</Badge>)}
            </span>
          ),
        },
        { head: "Role", cell: (p) => ADMIN_LEVELS[p.admin] ?? p.admin },
        { head: "State", cell: (p) => (p.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="muted">Disabled</Badge>) },
      ]}
    />
  );
}

/** A person's page under its title: details and credentials, then their timesheet, access and terminals. */
async function PersonView({ deps, person, csrf, admin }: { deps: UiDeps; person: PersonRow; csrf: string; admin: boolean }) {
  const id = person.enrollid;
  const [creds, holders, heldCreds, terminals] = await Promise.all([
    deps.store.credentialsOf(id),
    deps.store.people.holdersOf(id),
    deps.store.people.heldCredentialsOf(id),
    deps.store.listTerminals(),
  ]);
  const photo = creds.find((cr) => cr.backupnum === PHOTO);
  const adminCsrf = admin ? csrf : null;
  return (
    <>
      <p class="subtitle">
        {photo ? <img class="thumb thumb-large" src={`${personHref(id)}/photo`} alt={`Photo of ${person.name}`} /> : null} Enroll id{" "}
        <span class="mono">{id}</span> · {person.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="muted">Disabled</Badge>}
      </p>
      {/* The credentials table needs the wide column: in the narrow one its Remove buttons were out of sight at 1366 px. */}
      <div class="grid-2">
        <div>
          <section class="panel">
            <h2>Details</h2>
            <PersonForm person={person} csrf={csrf} admin={admin} />
          </section>
          <CredentialsPanel enrollid={id} stored={creds} held={heldCreds} terminals={terminals} csrf={adminCsrf} />
        </div>
        <div>
          {await PersonTimesheet({ deps, enrollid: id, csrf: adminCsrf })}
          {await PersonAccessPanel({ deps, enrollid: id, csrf: adminCsrf })}
          <PersonTerminalsPanel enrollid={id} holders={holders} terminals={terminals} csrf={adminCsrf} />
        </div>
      </div>
    </>
  );
}

export function peoplePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const href = personHref;

  app.get("/people", async (c) => {
    const q = z.string().trim().max(100).catch("").parse(c.req.query("q") ?? "");
    const levelId = levelParam.parse(c.req.query("level"));
    const filter = { ...(q ? { q } : {}), ...(levelId === undefined ? {} : { level: String(levelId) }) };
    const load = (cur: string | undefined) => listPeople(deps.store, { limit: PAGE, ...(q ? { q } : {}), ...(levelId === undefined ? {} : { levelId }), ...(cur ? { cursor: cur } : {}) });
    const [{ page: result, query }, held, level] = await Promise.all([
      pageFromQuery(c.req.query("cursor"), load, filter),
      deps.store.people.countHeldChanges(),
      levelId === undefined ? undefined : deps.store.access.levels().then((ls) => ls.find((l) => l.id === levelId)),
    ]);
    const [departmentOf, departments] = await Promise.all([departmentsOn(deps.timesheets), deps.store.timesheets.departments()]);
    const departmentName = new Map(departments.map((d) => [d.id, d.name]));
    const admin = c.get("user").role === "admin";
    return page(
      c,
      deps.settings.siteName,
      { title: "People", active: "people", actions: <PeopleActions held={held} filter={filter} admin={admin} /> },
      <>
        {levelId === undefined ? null : (
          <p class="subtitle" data-level-filter={levelId}>
            Holding the access level {level ? <a href={`/access/levels/${levelId}`}>{level.name}</a> : `#${levelId} (deleted)`}. <a href={`/people${q ? `?${new URLSearchParams({ q })}` : ""}`}>Show everyone</a>
          </p>
        )}
        <SearchForm action="/people" q={q} placeholder="name, external id or enroll id" hidden={levelId === undefined ? {} : { level: String(levelId) }} />
        <PeopleTable people={result.items} filtered={q !== "" || levelId !== undefined} departmentOf={(p) => departmentName.get(departmentOf.get(p.enrollid) ?? 0)} />
        <Pager base="/people" query={query} next={result.next} shown={result.items.length} order="key" />
      </>,
    );
  });

  app.get("/people/new", requireAdmin(), (c) =>
    page(
      c,
      deps.settings.siteName,
      { title: "Add a person", active: "people" },
      <section class="panel">
        <PersonForm person={null} csrf={c.get("session").csrfToken} admin />
      </section>,
    ),
  );

  app.get("/people/:id", async (c) => {
    const id = parsePathId(c.req.param("id"), ENROLLID_MAX);
    const person = id === null ? null : await deps.store.getPerson(id);
    if (id === null || !person) return page(c, deps.settings.siteName, { title: "Person not found", active: "people" }, <EmptyState title="No person with this enroll id" />, 404);
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    return page(
      c,
      deps.settings.siteName,
      {
        title: person.name || `Person ${id}`,
        active: "people",
        actions: admin ? (
          <ActionButton action={`${href(id)}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete ${person.name || id} here and from every terminal holding them?`} />
        ) : undefined,
      },
      await PersonView({ deps, person, csrf, admin }),
    );
  });

  /** The photo credential as an image: pages link it instead of inlining it (a list of 50 stays small). */
  app.get("/people/:id/photo", async (c) => {
    const id = parsePathId(c.req.param("id"), ENROLLID_MAX);
    const photo = id === null ? undefined : (await deps.store.credentialsOf(id)).find((cr) => cr.backupnum === PHOTO);
    if (!photo) return c.text("No photo.", 404);
    return c.body(Buffer.from(photo.data, "base64"), 200, { "content-type": "image/jpeg", "cache-control": "private, max-age=60" });
  });

  app.post("/people", requireAdmin(), async (c) => {
    const parsed = newPersonForm.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, "/people/new", "error", firstIssue(parsed.error));
    const id = parsed.data.enrollid;
    await createPerson(deps, actorOf(c), id, inputOf(parsed.data));
    return redirectWith(c, href(id), "ok", "Person added.");
  });

  app.post("/people/:id", requireAdmin(), async (c) => {
    const id = pathId(c.req.param("id"), "person", ENROLLID_MAX);
    const parsed = personForm.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, href(id), "error", firstIssue(parsed.error));
    const { job } = await updatePerson(deps, actorOf(c), id, inputOf(parsed.data));
    return backToPerson(c, deps, id, "Saved", job);
  });

  app.post("/people/:id/delete", requireAdmin(), async (c) => {
    const id = pathId(c.req.param("id"), "person", ENROLLID_MAX);
    // Read first: once deleted, the name the message says is gone.
    const name = (await deps.store.getPerson(id))?.name ?? "";
    const removed = await deletePerson(deps, actorOf(c), id);
    return backToPeople(c, deps, { enrollid: id, name }, removed.job);
  });

  app.post("/people/:id/push", requireAdmin(), async (c) => {
    const id = pathId(c.req.param("id"), "person", ENROLLID_MAX);
    // Ticked checkboxes, or one box of serial numbers separated by spaces or commas (a large site).
    const sns = typedSerials((await c.req.formData()).getAll("sn")).filter((s) => s.length <= 64);
    const job = await deps.people.jobs.view((await pushPeople(deps, actorOf(c), { enrollids: [id], terminals: sns })).id);
    // Nothing the terminals can hold: said here, not as a job that "succeeded" with 0 of 0 commands.
    const without = job && job.progress.total === 0 ? withoutCredential(job.detail) : null;
    if (without) {
      const refusing = without.terminals.length === 1 ? `${without.terminals[0] ?? ""} does` : `${without.terminals.join(", ")} do`;
      return redirectWith(c, href(id), "error", `Nothing was sent: this person has no card, PIN, fingerprint or face, and ${refusing} not take name-only users. Set a card or PIN under Credentials, then push again.`);
    }
    return job && job.progress.total > 0 ? redirectWith(c, `/jobs/${job.id}`, "ok", "Push started.") : redirectWith(c, href(id), "ok", "The terminals already hold this person.");
  });

  return app;
}
