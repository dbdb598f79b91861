/**
 * Timesheets → Rebuild's live bar (issue 17), in process: a rebuild started from the page reports
 * person-days done of the range's people × days at `/timesheets/rebuild/progress.json` until it
 * ends with its summary; the page shows the job island polling that JSON; a second rebuild while
 * one runs is refused.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { JobProgressProps } from "../../web/components/progress-view.tsx";
import { RebuildTracker, rebuildTimesheets } from "../../src/app/timesheets/rebuild.ts";
import { AppError } from "../../src/lib/app-error.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const clock = new SiteClock("UTC");
/** Thursday 10 December 2026, 10:00 on the site clock (UTC): November is past, and apart from the refresh of yesterday and today (adjacent ranges are done in one pass). */
const NOW = Date.UTC(2026, 11, 10, 10, 0);
let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp(() => NOW);
  const person = { admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null };
  await app.store.people.save(1, { ...person, name: "Ann Archer" }, NOW);
  await app.store.people.save(2, { ...person, name: "Bob Baker" }, NOW);
  await app.store.people.save(3, { ...person, name: "Cy Cole" }, NOW);
  const p = (enrollid: number, time: string) => ({ enrollid, time, ts: clock.toUtc(time), mode: 8, inout: 0, event: 0 });
  const punches = [];
  for (let day = 2; day <= 27; day++) {
    const date = `2026-11-${String(day).padStart(2, "0")}`;
    punches.push(p(1, `${date} 09:00:00`), p(1, `${date} 17:00:00`));
    if (day % 2 === 0) punches.push(p(2, `${date} 08:30:00`), p(2, `${date} 16:30:00`));
  }
  await app.store.write([{ type: "punches", sn: "FACE1", at: NOW, quarantine: [], punches }]);
});

afterAll(async () => {
  await app.stop();
});

async function progress(): Promise<Response> {
  return app.page("/timesheets/rebuild/progress.json");
}

test("no rebuild yet: the JSON says so and the page shows no bar", async () => {
  const res = await progress();
  expect(res.status).toBe(404);
  expect(((await res.json()) as { code: string }).code).toBe("not_found");
  expect(await (await app.page("/timesheets/rebuild")).text()).not.toContain('data-island="live-job"');
});

test("a rebuild from the page: the JSON counts person-days to the end, with the summary", async () => {
  const res = await app.form("/timesheets/rebuild", { from: "2026-11-01", to: "2026-11-30" });
  expect(res.status).toBe(303);
  const seen: JobProgressProps[] = [];
  for (let i = 0; i < 900; i++) {
    const r = await progress();
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const now = (await r.json()) as JobProgressProps;
    seen.push(now);
    if (now.status !== "running") break;
    await Bun.sleep(50);
  }
  const last = seen[seen.length - 1] as JobProgressProps;
  expect(last.status).toBe("succeeded");
  // Everyone (Cy too: a person without punches is absent or resting) × 30 days.
  expect({ id: last.id, total: last.total, done: last.done, poll: last.poll, badge: last.badge, detail: last.detail }).toEqual({
    id: 1,
    total: 90,
    done: 90,
    poll: "/timesheets/rebuild/progress.json",
    badge: { tone: "ok", text: "done" },
    detail: "90 of 90 person-days done · 90 results stored",
  });
  expect(last.summary).toMatch(/^Rebuilt 30 days for 3 people, 2026-11-01 to 2026-11-30, in \d+\.\d s$/);
  // Never backwards while it ran.
  for (let i = 1; i < seen.length; i++) expect((seen[i] as JobProgressProps).done).toBeGreaterThanOrEqual((seen[i - 1] as JobProgressProps).done);
  expect((await app.store.timesheets.days({ from: "2026-11-01", to: "2026-11-30", limit: 1000 })).items.length).toBe(90);

  const page = await (await app.page("/timesheets/rebuild")).text();
  expect(page).toContain('data-island="live-job"');
  expect(page).toContain("&quot;poll&quot;:&quot;/timesheets/rebuild/progress.json&quot;");
  expect(page).toContain("90 of 90 person-days done");
});

test("one at a time: a second rebuild while one runs is refused, naming the running one", async () => {
  const tracker = new RebuildTracker();
  tracker.start("2026-11-01", "2026-11-30");
  const deps = { store: app.store, clock, recompute: app.recompute, now: () => NOW };
  const refused = await rebuildTimesheets(deps, { kind: "user", name: "admin" }, { from: "2026-11-02", to: "2026-11-03" }, tracker).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(AppError);
  expect((refused as AppError).status).toBe(409);
  expect((refused as AppError).message).toBe("A rebuild of 2026-11-01 to 2026-11-30 is running; wait for it to end.");
});
