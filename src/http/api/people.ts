/**
 * People, terminal groups and jobs over the API. Changes return the job that carries them to
 * the terminals (null when no terminal holds the person); a job's progress is at /jobs/{id}.
 */
import { Hono } from "hono";
import { z } from "zod";
import { CREDENTIAL_BACKUPNUMS, int, parseDate, serialNumber } from "../../protocol/index.ts";
import { jobJson } from "../../people/jobs.ts";
import { credentialJson } from "../../people/mask.ts";
import type { PeopleService } from "../../people/service.ts";
import type { PersonInput } from "../../store/commands-contract.ts";
import { JOB_STATUSES, type JobRow } from "../../store/commands-schema.ts";
import type { Store } from "../../store/contract.ts";
import type { PersonRow } from "../../store/schema.ts";
import { parseBody } from "../body.ts";
import { AppError, badRequest, notFound } from "../../lib/app-error.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

export interface PeopleApiDeps {
  store: Store;
  people: PeopleService;
}

const enrollid = z.number().int().min(1).max(999_999_999);
const dateOrNull = z
  .string()
  .nullable()
  .transform((s, ctx) => {
    if (s === null) return null;
    const d = parseDate(s);
    if (d === null) {
      ctx.addIssue({ code: "custom", message: "expected YYYY-MM-DD" });
      return z.NEVER;
    }
    return d;
  });
const backupnum = z
  .number()
  .int()
  .refine((n) => (CREDENTIAL_BACKUPNUMS as readonly number[]).includes(n), "backupnum must be 0-9, 10, 11, 20-27, 30-37 or 50");

/** PINs are ≤ 8 digits; card numbers are digits (or hex on some readers); the rest is kept as given. */
function checkCredential(backupnum: number, data: string): string | null {
  if (backupnum === 10 && !/^\d{1,8}$/.test(data)) return "a password is 1 to 8 digits";
  if (backupnum === 11 && !/^[0-9A-Fa-f]{1,20}$/.test(data)) return "a card number is 1 to 20 digits";
  return null;
}

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

const personPatch = z.strictObject(personFields).partial();

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

const personQuery = pageQuery.extend({ q: z.string().max(100).optional() });
const jobQuery = pageQuery.extend({ status: z.enum(JOB_STATUSES).optional() });

export function peopleApi({ store, people }: PeopleApiDeps) {
  const app = new Hono<TokenEnv>();

  const idParam = (raw: string, what: string) => {
    const id = int.safeParse(raw);
    if (!id.success || id.data < 1) throw notFound(`no such ${what}`);
    return id.data;
  };
  const jobOrNull = async (job: JobRow | null) => (job ? people.jobs.view(job.id) : null);

  const personJson = async (p: PersonRow) => ({
    ...p,
    credentials: (await store.people.credentials([p.enrollid])).map((c) => credentialJson(c.backupnum, c.data)),
    terminals: await store.people.holdersOf(p.enrollid),
  });

  app.get("/people", async (c) => {
    const q = parseQuery(personQuery, c.req.query());
    return c.json(await store.people.list(q));
  });

  app.post("/people", async (c) => {
    const body = await parseBody(c, newPerson);
    for (const cred of body.credentials) {
      const bad = checkCredential(cred.backupnum, cred.data);
      if (bad) throw badRequest(`credentials: ${bad}`);
    }
    if (await store.getPerson(body.enrollid)) throw new AppError(409, "exists", "a person with this enrollid exists");
    const { enrollid: id, credentials, ...fields } = body;
    const actor = c.get("actor");
    const saved = await people.save(id, fields, actor, "create");
    for (const cred of credentials) await people.setCredential(id, cred.backupnum, cred.data, actor);
    return c.json(await personJson(saved.person), 201);
  });

  app.get("/people/:enrollid", async (c) => {
    const person = await store.getPerson(idParam(c.req.param("enrollid"), "person"));
    if (!person) throw notFound("no such person");
    return c.json(await personJson(person));
  });

  app.patch("/people/:enrollid", async (c) => {
    const id = idParam(c.req.param("enrollid"), "person");
    const body = await parseBody(c, personPatch);
    const existing = await store.getPerson(id);
    if (!existing) throw notFound("no such person");
    const input: PersonInput = {
      name: body.name ?? existing.name,
      admin: body.admin ?? existing.admin,
      enabled: body.enabled ?? existing.enabled,
      validFrom: body.validFrom !== undefined ? body.validFrom : existing.validFrom,
      validTo: body.validTo !== undefined ? body.validTo : existing.validTo,
      externalId: body.externalId !== undefined ? body.externalId : existing.externalId,
    };
    const saved = await people.save(id, input, c.get("actor"), "update");
    return c.json({ person: await personJson(saved.person), job: await jobOrNull(saved.job) });
  });

  app.delete("/people/:enrollid", async (c) => {
    const done = await people.remove(idParam(c.req.param("enrollid"), "person"), c.get("actor"));
    if (!done) throw notFound("no such person");
    return c.json({ deleted: true, job: await jobOrNull(done.job) });
  });

  app.put("/people/:enrollid/credentials/:backupnum", async (c) => {
    const id = idParam(c.req.param("enrollid"), "person");
    const b = backupnum.safeParse(Number(c.req.param("backupnum")));
    if (!b.success) throw badRequest("backupnum must be 0-9, 10, 11, 20-27, 30-37 or 50");
    const body = await parseBody(c, credentialBody);
    const bad = checkCredential(b.data, body.data);
    if (bad) throw badRequest(bad);
    if (!(await store.getPerson(id))) throw notFound("no such person");
    const done = await people.setCredential(id, b.data, body.data, c.get("actor"));
    return c.json({ credential: credentialJson(b.data, body.data), job: await jobOrNull(done.job) });
  });

  app.delete("/people/:enrollid/credentials/:backupnum", async (c) => {
    const id = idParam(c.req.param("enrollid"), "person");
    const done = await people.removeCredential(id, Number(c.req.param("backupnum")), c.get("actor"));
    if (!done) throw notFound("no such credential");
    return c.json({ deleted: true, job: await jobOrNull(done.job) });
  });

  app.post("/people/pull", async (c) => {
    const { sn } = await parseBody(c, pullBody);
    if (!(await store.getTerminal(sn))) throw notFound("no terminal with this serial number");
    const job = await people.pull(sn, c.get("actor"));
    return c.json(await people.jobs.view(job.id), 202);
  });

  app.post("/people/push", async (c) => {
    const body = await parseBody(c, pushBody);
    const sns = new Set(body.terminals ?? []);
    if (body.group !== undefined) {
      const group = await store.people.getGroup(body.group);
      if (!group) throw notFound("no such group");
      for (const m of group.members) sns.add(m);
    }
    for (const sn of sns) if (!(await store.getTerminal(sn))) throw notFound(`no terminal ${sn}`);
    const job = await people.push(body.enrollids, [...sns], c.get("actor"));
    return c.json(await people.jobs.view(job.id), 202);
  });

  const resync = async (groupId: number, actor: string) => {
    const group = await store.people.getGroup(groupId);
    if (!group) throw notFound("no such group");
    const job = await people.resyncGroup(group, actor);
    return people.jobs.view(job.id);
  };
  app.post("/people/resync", async (c) => c.json(await resync((await parseBody(c, resyncBody)).group, c.get("actor")), 202));

  app.get("/jobs", async (c) => {
    const q = parseQuery(jobQuery, c.req.query());
    const page = await store.commands.listJobs(q);
    return c.json({ items: page.items.map(jobJson), next: page.next });
  });

  app.get("/jobs/:id", async (c) => {
    const view = await people.jobs.view(idParam(c.req.param("id"), "job"));
    if (!view) throw notFound("no such job");
    return c.json(view);
  });

  app.get("/groups", async (c) => c.json({ items: await store.people.listGroups() }));

  app.post("/groups", async (c) => {
    const body = await parseBody(c, groupBody);
    const group = await people.createGroup(body.name, body.sync, c.get("actor"));
    if (!group) throw new AppError(409, "exists", "a group with this name exists");
    return c.json(group, 201);
  });

  app.get("/groups/:id", async (c) => {
    const group = await store.people.getGroup(idParam(c.req.param("id"), "group"));
    if (!group) throw notFound("no such group");
    return c.json(group);
  });

  app.patch("/groups/:id", async (c) => {
    const id = idParam(c.req.param("id"), "group");
    const body = await parseBody(c, groupPatch);
    const group = await people.updateGroup(id, body, c.get("actor"));
    if (!group) throw notFound("no such group");
    return c.json(group);
  });

  app.delete("/groups/:id", async (c) => {
    if (!(await people.removeGroup(idParam(c.req.param("id"), "group"), c.get("actor")))) throw notFound("no such group");
    return c.json({ deleted: true });
  });

  app.put("/groups/:id/terminals/:sn", async (c) => {
    const id = idParam(c.req.param("id"), "group");
    const sn = c.req.param("sn");
    if (!(await store.getTerminal(sn))) throw notFound("no terminal with this serial number");
    if (!(await store.people.getGroup(id))) throw notFound("no such group");
    const done = await people.addMember(id, sn, c.get("actor"));
    if (!done) throw notFound("no such group");
    return c.json({ group: done.group, job: await jobOrNull(done.job) });
  });

  app.delete("/groups/:id/terminals/:sn", async (c) => {
    const removed = await people.removeMember(idParam(c.req.param("id"), "group"), c.req.param("sn"), c.get("actor"));
    if (!removed) throw notFound("the terminal is not in this group");
    return c.json({ deleted: true });
  });

  app.post("/groups/:id/resync", async (c) => c.json(await resync(idParam(c.req.param("id"), "group"), c.get("actor")), 202));

  return app;
}
