/**
 * Settings → Download backup: the snapshot of a large store takes a while, so it is prepared in the
 * background and its page shows a live bar (bytes copied, the job island polling
 * `/settings/backup/{id}.json`); once ready the page reloads with the download button. Admins only.
 */
import { Hono } from "hono";
import type { JobProgressProps } from "../../../web/components/progress-view.tsx";
import type { PreparedBackup } from "../../app/backups.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { ID_JSON, idOf, JobProgress } from "../live-progress.tsx";

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function progressOf(b: PreparedBackup): JobProgressProps {
  const counts = { id: b.id, total: b.total, done: b.bytes, succeeded: b.bytes, failed: 0, expired: 0, poll: `/settings/backup/${b.id}.json`, reloadWhenDone: true };
  if (b.status === "running") return { ...counts, status: "running", badge: { tone: "info", text: "copying" }, summary: "Taking the backup", detail: b.total === 0 ? "Starting the copy" : `${mb(b.bytes)} of about ${mb(b.total)} copied` };
  if (b.status === "failed") return { ...counts, status: "failed", badge: { tone: "error", text: "failed" }, summary: "The snapshot could not be taken; see the server log", detail: `${mb(b.bytes)} copied` };
  return { ...counts, status: "succeeded", badge: { tone: "ok", text: "ready" }, summary: `Backup ready: ${mb(b.bytes)}, checked with SQLite's integrity_check`, detail: `${mb(b.bytes)} copied` };
}

export function backupPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const backups = deps.backups;
  if (!backups) {
    app.post("/settings/backup", requireAdmin(), (c) => redirectWith(c, "/settings", "error", "Backups of a cluster store are taken with pg_dump."));
    return app;
  }
  app.use("/settings/backup/*", requireAdmin());
  const gone = "This backup is gone (downloaded, or not taken for 10 minutes): take a new one from Settings.";

  app.post("/settings/backup", requireAdmin(), (c) => {
    const b = backups.prepare(actorOf(c));
    return c.redirect(`/settings/backup/${b.id}`, 303);
  });

  app.get(`/settings/backup/:file${ID_JSON}`, (c) => {
    const b = backups.prepared(idOf(c.req.param("file")));
    return b ? c.json(progressOf(b), 200, { "cache-control": "no-store" }) : c.json({ code: "not_found", message: gone }, 404);
  });

  app.get("/settings/backup/:id{[1-9][0-9]{0,8}}", (c) => {
    const b = backups.prepared(Number(c.req.param("id")));
    if (!b) return redirectWith(c, "/settings", "error", gone);
    return page(
      c,
      deps.settings.siteName,
      { title: "Backup", active: "settings" },
      <>
        <p class="subtitle">
          <a href="/settings">Settings</a>
        </p>
        <section class="panel" aria-label="Backup progress">
          <JobProgress {...progressOf(b)} />
          {b.status === "succeeded" ? (
            <p>
              <a class="btn btn-primary" href={`/settings/backup/${b.id}/file`} download>
                Download backup
              </a>
            </p>
          ) : null}
        </section>
      </>,
    );
  });

  app.get("/settings/backup/:id{[1-9][0-9]{0,8}}/file", (c) => backups.take(Number(c.req.param("id")), actorOf(c)));

  return app;
}
