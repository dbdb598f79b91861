/**
 * People, terminal groups and jobs over the API. Changes return the job that carries them to
 * the terminals (null when no terminal holds the person); a job's progress is at /jobs/{id}.
 */
import { type Context, Hono } from "hono";
import { approveHeldChange, listHeldChanges, rejectHeldChange } from "../../app/held-changes.ts";
import { addGroupTerminal, createGroup, deleteGroup, removeGroupTerminal, resyncGroup, setGroupTerminals, updateGroup } from "../../app/groups.ts";
import { departmentsOn, setPersonDepartment } from "../../app/timesheets/departments.ts";
import type { TimesheetDeps } from "../../app/timesheets/deps.ts";
import { createPerson, deletePerson, listPeople, type PeopleDeps, pullCredential, pullPeople, pushPeople, removeCredential, setCredential, updatePerson } from "../../app/people.ts";
import { z } from "zod";
import { CREDENTIAL_BACKUPNUMS, ENROLLID_MAX, parseDate, serialNumber } from "../../protocol/index.ts";
import { jobJson } from "../../people/jobs.ts";
import { credentialJson } from "../../people/mask.ts";
import { JOB_STATUSES, type JobRow } from "../../store/commands-schema.ts";
import type { PersonRow } from "../../store/schema.ts";
import { parseBody } from "../body.ts";
import { badRequest, notFound } from "../../lib/app-error.ts";
import { notADate } from "../../lib/input-problem.ts";
import { pathId } from "../../lib/path-id.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

const enrollid = z.number().int().min(1).max(ENROLLID_MAX);
const dateOrNull = z
  .string()
  .nullable()
  .transform((s, ctx) => {
    if (s === null) return null;
    const d = parseDate(s);
    if (d === null) {
      ctx.addIssue({ code: "custom", message: notADate(s) });
      return z.NEVER;
    }
    return d;
  });
const backupnum = z
  .number()
  .int()
  .refine((n) => (CREDENTIAL_BACKUPNUMS as readonly number[]).includes(n), "backupnum must be 0-9, 10, 11, 20-27, 30-37 or 50");

const credentialBody = z.strictObject({ data: z.string().min(1).max(4 * 1024 * 1024) });

const personFields = {
  name: z.string().trim().max(64),
  admin: z.number().int().min(0).max(2),
  enabled: z.boolean(),
  validFrom: dateOrNull,
  validTo: dateOrNull,
  externalId: z.string().trim().min(1).max(100).nullable(),
};

const newPerson = z.strictObject({
  enrollid,
  name: personFields.name,
  admin: personFields.admin.default(0),
  enabled: personFields.enabled.default(true),
  validFrom: personFields.validFrom.default(null),
  validTo: personFields.validTo.default(null),
  externalId: personFields.externalId.default(null),
  credentials: z.array(z.strictObject({ backupnum, data: credentialBody.shape.data })).max(64).default([]),
});

/** `departmentId` (null: none) from `departmentFrom` (default today) on: the person's department history (issue 14). */
const personPatch = z.strictObject({ ...personFields, departmentId: z.number().int().positive().nullable(), departmentFrom: z.string().max(20) }).partial();

const pullBody = z.strictObject({ sn: serialNumber });
const pushBody = z
  .strictObject({
    enrollids: z.array(enrollid).min(1).max(100_000).optional(),
    terminals: z.array(serialNumber).max(10_000).optional(),
    group: z.number().int().positive().optional(),
  })
  .refine((b) => (b.terminals?.length ?? 0) > 0 || b.group !== undefined, "give terminals or a group");
const resyncBody = z.strictObject({ group: z.number().int().positive() });

const groupBody = z.strictObject({ name: z.string().trim().min(1).max(100), sync: z.boolean().default(false) });
const groupPatch = z.strictObject({ name: z.string().trim().min(1).max(100), sync: z.boolean() }).partial();
/** The whole member list; the use case bounds and checks each serial number. */
const groupMembers = z.strictObject({ terminals: z.array(z.string()) });

const personQuery = pageQuery.extend({ q: z.string().max(100).optional() });
const jobQuery = pageQuery.extend({ status: z.enum(JOB_STATUSES).optional() });

export function peopleApi(deps: PeopleDeps & { timesheets: TimesheetDeps }) {
  const { store, people } = deps;
  const app = new Hono<TokenEnv>();

  const jobOrNull = async (job: JobRow | null) => (job ? people.jobs.view(job.id) : null);

  const personJson = async (p: PersonRow) => ({
    ...p,
    departmentId: (await departmentsOn(deps.timesheets)).get(p.enrollid) ?? null,
    credentials: (await store.people.credentials([p.enrollid])).map((c) => credentialJson(c.backupnum, c.data)),
    terminals: await store.people.holdersOf(p.enrollid),
  });

  app.get("/people", async (c) => {
    const q = parseQuery(personQuery, c.req.query());
    const page = await listPeople(store, q);
    const departments = await departmentsOn(deps.timesheets);
    return c.json({ ...page, items: page.items.map((p) => ({ ...p, departmentId: departments.get(p.enrollid) ?? null })) });
  });

  app.post("/people", async (c) => {
    const { enrollid, credentials, ...fields } = await parseBody(c, newPerson);
    const saved = await createPerson(deps, c.get("actor"), enrollid, fields, credentials);
    return c.json(await personJson(saved.person), 201);
  });

  app.get("/people/:enrollid", async (c) => {
    const person = await store.getPerson(pathId(c.req.param("enrollid"), "person", ENROLLID_MAX));
    if (!person) throw notFound("no such person");
    return c.json(await personJson(person));
  });

  app.patch("/people/:enrollid", async (c) => {
    const id = pathId(c.req.param("enrollid"), "person", ENROLLID_MAX);
    const { departmentId, departmentFrom, ...fields } = await parseBody(c, personPatch);
    // Only a department given: nothing changes on the terminals, so no job.
    const saved = Object.keys(fields).length > 0 || departmentId === undefined ? await updatePerson(deps, c.get("actor"), id, fields) : null;
    if (departmentId !== undefined) {
      await setPersonDepartment(deps.timesheets, c.get("actor"), id, { departmentId, ...(departmentFrom !== undefined ? { from: departmentFrom } : {}) });
    }
    const person = saved?.person ?? (await store.getPerson(id));
    if (!person) throw notFound("no such person");
    return c.json({ person: await personJson(person), job: await jobOrNull(saved?.job ?? null) });
  });

  app.delete("/people/:enrollid", async (c) => {
    const done = await deletePerson(deps, c.get("actor"), pathId(c.req.param("enrollid"), "person", ENROLLID_MAX));
    return c.json({ deleted: true, job: await jobOrNull(done.job) });
  });

  app.put("/people/:enrollid/credentials/:backupnum", async (c) => {
    const id = pathId(c.req.param("enrollid"), "person", ENROLLID_MAX);
    const b = backupnum.safeParse(Number(c.req.param("backupnum")));
    if (!b.success) throw badRequest("backupnum must be 0-9, 10, 11, 20-27, 30-37 or 50");
    const { data } = await parseBody(c, credentialBody);
    const done = await setCredential(deps, c.get("actor"), id, { backupnum: b.data, data });
    return c.json({ credential: credentialJson(b.data, data), job: await jobOrNull(done.job) });
  });

  app.delete("/people/:enrollid/credentials/:backupnum", async (c) => {
    const id = pathId(c.req.param("enrollid"), "person", ENROLLID_MAX);
    const done = await removeCredential(deps, c.get("actor"), id, Number(c.req.param("backupnum")));
    return c.json({ deleted: true, job: await jobOrNull(done.job) });
  });

  // Reads the credential back from a terminal that holds it (an enrolment made at its keypad).
  app.post("/people/:enrollid/credentials/:backupnum/pull", async (c) => {
    const id = pathId(c.req.param("enrollid"), "person", ENROLLID_MAX);
    const { sn } = await parseBody(c, pullBody);
    const job = await pullCredential(deps, c.get("actor"), id, sn, Number(c.req.param("backupnum")));
    return c.json(await people.jobs.view(job.id), 202);
  });

  app.post("/people/pull", async (c) => {
    const { sn } = await parseBody(c, pullBody);
    const job = await pullPeople(deps, c.get("actor"), sn);
    return c.json(await people.jobs.view(job.id), 202);
  });

  app.post("/people/push", async (c) => {
    const body = await parseBody(c, pushBody);
    const job = await pushPeople(deps, c.get("actor"), body);
    return c.json(await people.jobs.view(job.id), 202);
  });

  const resync = async (c: Context<TokenEnv>, id: number) => c.json(await people.jobs.view((await resyncGroup(deps, c.get("actor"), id)).job.id), 202);
  app.post("/people/resync", async (c) => resync(c, (await parseBody(c, resyncBody)).group));

  // Changes terminals sent that wait for an admin (admin scope: they carry people's credentials).
  app.get("/held-changes", async (c) => c.json(await listHeldChanges(deps, parseQuery(pageQuery, c.req.query()))));

  app.post("/held-changes/:id/approve", async (c) => {
    const done = await approveHeldChange(deps, c.get("actor"), pathId(c.req.param("id"), "held change"));
    return c.json({ change: done.change, job: await jobOrNull(done.job) });
  });

  app.post("/held-changes/:id/reject", async (c) => c.json(await rejectHeldChange(deps, c.get("actor"), pathId(c.req.param("id"), "held change"))));

  app.get("/jobs", async (c) => {
    const q = parseQuery(jobQuery, c.req.query());
    const page = await store.commands.listJobs(q);
    return c.json({ items: page.items.map(jobJson), next: page.next });
  });

  app.get("/jobs/:id", async (c) => {
    const view = await people.jobs.view(pathId(c.req.param("id"), "job"));
    if (!view) throw notFound("no such job");
    return c.json(view);
  });

  app.get("/groups", async (c) => c.json({ items: await store.people.listGroups() }));

  app.post("/groups", async (c) => c.json(await createGroup(deps, c.get("actor"), await parseBody(c, groupBody)), 201));

  app.get("/groups/:id", async (c) => {
    const group = await store.people.getGroup(pathId(c.req.param("id"), "group"));
    if (!group) throw notFound("no such group");
    return c.json(group);
  });

  app.patch("/groups/:id", async (c) => {
    const id = pathId(c.req.param("id"), "group");
    return c.json(await updateGroup(deps, c.get("actor"), id, await parseBody(c, groupPatch)));
  });

  app.delete("/groups/:id", async (c) => {
    await deleteGroup(deps, c.get("actor"), pathId(c.req.param("id"), "group"));
    return c.json({ deleted: true });
  });

  app.put("/groups/:id/terminals", async (c) => {
    const done = await setGroupTerminals(deps, c.get("actor"), pathId(c.req.param("id"), "group"), await parseBody(c, groupMembers));
    return c.json({ group: done.group, added: done.added, removed: done.removed, jobs: await Promise.all(done.jobs.map((j) => people.jobs.view(j.id))) });
  });

  app.put("/groups/:id/terminals/:sn", async (c) => {
    const done = await addGroupTerminal(deps, c.get("actor"), pathId(c.req.param("id"), "group"), c.req.param("sn"));
    return c.json({ group: done.group, job: await jobOrNull(done.job) });
  });

  app.delete("/groups/:id/terminals/:sn", async (c) => {
    await removeGroupTerminal(deps, c.get("actor"), pathId(c.req.param("id"), "group"), c.req.param("sn"));
    return c.json({ deleted: true });
  });

  app.post("/groups/:id/resync", async (c) => resync(c, pathId(c.req.param("id"), "group")));

  return app;
}
