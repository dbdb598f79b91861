/**
 * /jobs and /jobs/:id: the people and log jobs (pull, push, resync, fetch logs) newest first, each
 * named in words ("Push Ann Archer to 3 terminals", not "push person:3") with its result in one
 * line, and a job's page with its progress, what failed, and the way back to what it was about.
 */
import { Hono } from "hono";
import { type NameOnly, withoutCredential } from "../../people/jobs.ts";
import type { CommandStatus, JobRow } from "../../store/commands-schema.ts";
import { actorLabels } from "../actor-labels.ts";
import { Badge, EmptyState, Pager, siteTime, type Tone } from "../components.tsx";
import { Table } from "../table.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { page } from "../layout.tsx";
import { ID_JSON, idOf, JobProgress } from "../live-progress.tsx";
import type { JobProgressProps } from "../../../web/components/progress-view.tsx";
import { pageFromQuery } from "../paging.ts";
import { plural } from "../../lib/plural.ts";
import { parsePathId } from "../../lib/path-id.ts";

const PAGE = 50;

type Counts = Partial<Record<CommandStatus, number>>;
interface Link {
  href: string;
  label: string;
}
/** A job in words, and the pages of the person, terminals or group it was about. */
interface Described {
  title: string;
  links: Link[];
}

/** Names of people, terminals and groups, each read once per page. */
class Names {
  #people = new Map<number, Promise<string>>();
  #terminals = new Map<string, Promise<string>>();
  #groups = new Map<number, Promise<string>>();
  constructor(private deps: UiDeps) {}
  person(enrollid: number) {
    let name = this.#people.get(enrollid);
    if (!name) this.#people.set(enrollid, (name = this.deps.store.getPerson(enrollid).then((p) => (p?.name ? p.name : `person ${enrollid}`))));
    return name;
  }
  terminal(sn: string) {
    let name = this.#terminals.get(sn);
    if (!name) this.#terminals.set(sn, (name = this.deps.store.getTerminal(sn).then((t) => t?.name || sn)));
    return name;
  }
  group(id: number) {
    let name = this.#groups.get(id);
    if (!name) this.#groups.set(id, (name = this.deps.store.people.getGroup(id).then((g) => (g ? `group ${g.name}` : `group ${id}`))));
    return name;
  }
}

const personLink = (enrollid: number, label: string): Link => ({ href: `/people/${enrollid}`, label });
const terminalLink = (sn: string, label: string): Link => ({ href: `/terminals/${encodeURIComponent(sn)}`, label });

function paramsOf(job: JobRow): { sn?: unknown; terminals?: unknown; enrollids?: unknown } {
  const parsed = JSON.parse(job.params) as unknown;
  return typeof parsed === "object" && parsed !== null ? parsed : {};
}

async function describe(job: JobRow, names: Names): Promise<Described> {
  const [scope, id = ""] = job.target.split(/:(.*)/s);
  const params = paramsOf(job);
  const sns = Array.isArray(params.terminals) ? params.terminals.filter((s): s is string => typeof s === "string") : [];
  const where = async () => (sns.length === 1 ? await names.terminal(sns[0] as string) : plural(sns.length, "terminal"));
  const terminalLinks = async () => (sns.length === 1 ? [terminalLink(sns[0] as string, await names.terminal(sns[0] as string))] : []);
  if (scope === "person") {
    const enrollid = Number(id);
    const who = await names.person(enrollid);
    const links = [personLink(enrollid, who)];
    if (job.kind === "pull") {
      const sn = typeof params.sn === "string" ? params.sn : "";
      const from = await names.terminal(sn);
      return { title: `Read ${who}'s credential from ${from}`, links: [...links, terminalLink(sn, from)] };
    }
    const verb = job.kind === "push" ? "Push" : "Update";
    return { title: `${verb} ${who} ${job.kind === "push" ? "to" : "on"} ${await where()}`, links: [...links, ...(await terminalLinks())] };
  }
  if (scope === "terminal") {
    const name = await names.terminal(id);
    const title = job.kind === "pull" ? `Import people from ${name}` : job.kind === "fetch-logs" ? `Fetch missed logs from ${name}` : `${job.kind} ${name}`;
    return { title, links: [terminalLink(id, name)] };
  }
  if (scope === "group") {
    const group = await names.group(Number(id));
    const links = [{ href: `/groups/${Number(id)}/terminals`, label: group }, ...(await terminalLinks())];
    return { title: job.kind === "resync" ? `Resync ${group} on ${await where()}` : `Send ${group}'s people to ${await where()}`, links };
  }
  // A push of several people (or everyone) to terminals.
  const who = params.enrollids === "all" ? "everyone" : Array.isArray(params.enrollids) ? plural(params.enrollids.length, "person", "people") : "people";
  return { title: `Push ${who} to ${await where()}`, links: await terminalLinks() };
}

const idList = (p: { count: number; enrollids: number[] }) => `enroll id ${p.enrollids.join(", ")}${p.count > p.enrollids.length ? ", …" : ""}`;
const joined = (names: string[]) => (names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`);

/** People without a credential the job sent nothing for: none can be held, or (`terminals`) those terminals take no names. */
function Unsendable({ count, enrollids, terminals }: { count: number; enrollids: number[]; terminals: string[] }) {
  const who = plural(count, "person has", "people have");
  return (
    <p class="alert alert-warn" role="status" data-without-credential={count}>
      {terminals.length > 0
        ? `${who} no card, PIN, fingerprint or face, and ${joined(terminals)} ${terminals.length === 1 ? "does" : "do"} not take name-only users, so nothing was sent there for them (${idList({ count, enrollids })}).`
        : `${who} no credential a terminal can hold (no card, PIN, fingerprint or face), so nothing was sent for them (${idList({ count, enrollids })}).`}{" "}
      Give them a card or PIN on their page, then push again.
    </p>
  );
}

/** What became of the people sent by name alone: on the terminals, or refused by them. */
function NameOnlyOutcome({ outcome, refusedBy }: { outcome: NameOnly; refusedBy: string[] }) {
  const { sent, refused } = outcome;
  return (
    <>
      {sent.count > 0 ? (
        <p class="alert" role="status" data-name-only-sent={sent.count}>
          Sent by name only: {plural(sent.count, "person", "people")} ({idList(sent)}) to {plural(sent.terminals, "terminal")}. They have no card, PIN, fingerprint or
          face, so they are listed on the terminal but cannot verify there until they have one.
        </p>
      ) : null}
      {refused.count > 0 ? (
        <p class="alert alert-warn" role="status" data-name-only-refused={refused.count}>
          {`${joined(refusedBy)} ${refusedBy.length === 1 ? "does" : "do"} not take name-only users: ${plural(refused.count, "person was", "people were")} not sent there (${idList(refused)}).`}{" "}
          Give them a card or PIN on their page, then push again.
        </p>
      ) : null}
    </>
  );
}

const jobTone = (job: JobRow): Tone => (job.status === "running" ? "info" : job.status === "succeeded" ? "ok" : "error");

const failedOf = (counts: Counts) => (counts.failed ?? 0) + (counts.timed_out ?? 0) + (counts.expired ?? 0) + (counts.cancelled ?? 0);

/** A finished job whose failures are all plain "failed": only such a job's may be refused name-only frames. */
function mayBeNamesRefused(job: JobRow, counts: Counts): boolean {
  const failed = failedOf(counts);
  return job.status !== "running" && failed > 0 && (counts.failed ?? 0) === failed;
}

/**
 * A finished job whose only failures are name-only frames its terminals refused (`outcome`, the
 * job's `nameOnly`), in the words of its page ("OLDFW does not take name-only users: 3 people not
 * sent"); null for any other job.
 */
async function namesRefusedLine(names: Names, job: JobRow, counts: Counts, outcome: NameOnly | null): Promise<string | null> {
  if (!mayBeNamesRefused(job, counts) || !outcome || outcome.partial || outcome.refused.frames !== failedOf(counts)) return null;
  const by = await Promise.all(outcome.refused.terminals.map((sn) => names.terminal(sn)));
  return `${joined(by)} ${by.length === 1 ? "does" : "do"} not take name-only users: ${plural(outcome.refused.count, "person", "people")} not sent`;
}

/** The result in one line, from the job's commands (`namesRefused`: namesRefusedLine's, said instead of a count). */
function summary(job: JobRow, counts: Counts, namesRefused: string | null): string {
  const total = Object.values(counts).reduce((n, v) => n + (v ?? 0), 0);
  const open = (counts.queued ?? 0) + (counts.sent ?? 0);
  const failed = failedOf(counts);
  if (total === 0) {
    if (job.status === "running") return "Starting";
    const without = withoutCredential(job.detail === null ? null : (JSON.parse(job.detail) as unknown));
    if (!without) return "Nothing to send: the terminals already had it";
    const who = plural(without.count, "person has", "people have");
    return without.terminals.length > 0
      ? `Nothing sent: ${who} no credential, and ${plural(without.terminals.length, "terminal does", "terminals do")} not take name-only users`
      : `Nothing sent: ${who} no credential a terminal can hold`;
  }
  if (job.status === "running") return `${total - open} of ${plural(total, "command")} done${failed > 0 ? `, ${failed} failed` : ""}`;
  if (namesRefused !== null) return namesRefused;
  return failed > 0 ? `${failed} of ${plural(total, "command")} did not succeed` : `All ${plural(total, "command")} succeeded`;
}

/** A terminal's or a group's job belongs under Terminals; a person's (or a push of everyone) under People. */
const sectionOf = (job: JobRow) => (/^(terminals?|group):/.test(job.target) ? "terminals" : "people");

export function jobPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  /** The job's live part: its badge, one-line result, bar and counts (the page and its poll alike). */
  async function progressOf(id: number, names: Names): Promise<JobProgressProps | null> {
    const [job, view, counts] = await Promise.all([deps.store.commands.getJob(id), deps.people.jobs.view(id), deps.store.commands.countByStatus(id)]);
    if (!job || !view) return null;
    const p = view.progress;
    const nothingSent = p.total === 0 && withoutCredential(view.detail) !== null;
    return {
      id,
      status: job.status === "running" || job.status === "succeeded" ? job.status : "failed",
      badge: nothingSent ? { tone: "warn", text: "nothing sent" } : { tone: jobTone(job), text: job.status },
      summary: summary(job, counts, await namesRefusedLine(names, job, counts, view.nameOnly)),
      total: p.total,
      done: p.done,
      succeeded: p.succeeded,
      failed: p.failed + p.timedOut,
      expired: p.expired + p.cancelled,
    };
  }

  app.get("/jobs", async (c) => {
    const { page: result, query } = await pageFromQuery(c.req.query("cursor"), (at) => deps.store.commands.listJobs({ limit: PAGE, ...(at ? { cursor: at } : {}) }));
    const names = new Names(deps);
    const [rows, by] = await Promise.all([
      Promise.all(
        result.items.map(async (job) => {
          const counts = await deps.store.commands.countByStatus(job.id);
          const outcome = mayBeNamesRefused(job, counts) ? await deps.people.jobs.nameOnly(job.id) : null;
          return { job, described: await describe(job, names), counts, namesRefused: await namesRefusedLine(names, job, counts, outcome) };
        }),
      ),
      actorLabels(deps.store, result.items.map((job) => job.actor)),
    ]);
    return page(
      c,
      deps.settings.siteName,
      { title: "Jobs", active: "terminals" },
      rows.length === 0 ? (
        <EmptyState title="No jobs yet">Pushing people, importing them from a terminal and fetching missed logs run as jobs; they are listed here.</EmptyState>
      ) : (
        <>
          <Table
            rows={rows}
            attrs={{ "data-jobs": "" }}
            row={({ job }) => ({ "data-job": String(job.id) })}
            columns={[
              { head: "Job", cell: ({ job, described }) => <a href={`/jobs/${job.id}`}>{described.title}</a> },
              { head: "Status", cell: ({ job }) => <Badge tone={jobTone(job)}>{job.status}</Badge> },
              { head: "Result", cell: ({ job, counts, namesRefused }) => summary(job, counts, namesRefused) },
              { head: "By", cell: ({ job }) => by(job.actor) },
              { head: "Started", class: "nowrap", cell: ({ job }) => siteTime(deps.settings.clock, job.createdAt) },
            ]}
          />
          <Pager base="/jobs" query={query} next={result.next} shown={rows.length} />
        </>
      ),
    );
  });

  // Before /jobs/:id, which would take "5.json" for an id.
  app.get(`/jobs/:file${ID_JSON}`, async (c) => {
    const progress = await progressOf(idOf(c.req.param("file")), new Names(deps));
    return progress ? c.json(progress, 200, { "cache-control": "no-store" }) : c.json({ code: "not_found", message: "No such job." }, 404);
  });

  app.get("/jobs/:id", async (c) => {
    const id = parsePathId(c.req.param("id"));
    const job = id === null ? null : await deps.store.commands.getJob(id);
    const view = job ? await deps.people.jobs.view(job.id) : null;
    if (!job || !view) {
      return page(c, deps.settings.siteName, { title: "Job not found", active: "terminals" }, <EmptyState title="No such job"><a href="/jobs">All jobs</a></EmptyState>, 404);
    }
    const names = new Names(deps);
    const [described, progress, by] = await Promise.all([describe(job, names), progressOf(job.id, names), actorLabels(deps.store, [job.actor])]);
    const unsendable = withoutCredential(view.detail);
    return page(
      c,
      deps.settings.siteName,
      { title: described.title, active: sectionOf(job) },
      <section class="panel">
        <p class="job-links">
          <a href="/jobs">« All jobs</a>
          {described.links.map((l) => (
            <>
              {" · "}
              <a href={l.href}>{l.label}</a>
            </>
          ))}
        </p>
        <p class="muted">
          Job #{job.id} · started by {by(job.actor)} {siteTime(deps.settings.clock, job.createdAt)}
          {job.finishedAt !== null ? `, finished ${siteTime(deps.settings.clock, job.finishedAt)}` : ""}
        </p>
        {progress ? <JobProgress {...progress} /> : null}
        {unsendable ? <Unsendable {...unsendable} terminals={await Promise.all(unsendable.terminals.map((sn) => names.terminal(sn)))} /> : null}
        {view.nameOnly ? <NameOnlyOutcome outcome={view.nameOnly} refusedBy={await Promise.all(view.nameOnly.refused.terminals.map((sn) => names.terminal(sn)))} /> : null}
        {view.failures.length > 0 ? (
          <Table
            rows={view.failures}
            columns={[
              { head: "Terminal", cell: (f) => f.sn },
              { head: "Command", class: "mono", cell: (f) => f.name },
              { head: "Person", cell: (f) => (f.enrollid === null ? "" : String(f.enrollid)) },
              { head: "Status", cell: (f) => f.status },
              { head: "Reason", cell: (f) => f.reason ?? "" },
            ]}
          />
        ) : null}
      </section>,
    );
  });

  return app;
}
