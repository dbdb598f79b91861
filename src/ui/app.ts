/**
 * The admin UI: server-rendered pages (hono/jsx), one embedded script with the islands, SSE
 * for the live dashboard. src/http/app.ts hands it every request outside /api, /health and
 * /metrics; src/server.ts builds it with the live parts of the server.
 */
import { Hono } from "hono";
import { assetResponse } from "./assets.ts";
import { requireSession } from "./auth-guard.ts";
import type { UiBindings, UiDeps, UiEnv } from "./env.ts";
import { keepRefusedForm } from "./flash.ts";
import { errorResponse } from "./errors.ts";
import { liveEvents } from "./live/events.ts";
import { doorPages } from "./pages/doors.tsx";
import { IngestRate } from "./live/ingest-rate.ts";
import { LiveStatusSource } from "./live/live-status.ts";
import { accessPages } from "./pages/access.ts";
import { accountPage } from "./pages/account.tsx";
import { auditPage } from "./pages/audit.tsx";
import { authPages } from "./pages/auth.tsx";
import { dashboardPage } from "./pages/dashboard.tsx";
import { groupPages } from "./pages/groups.tsx";
import { importRunPages, ImportRuns } from "./pages/import-runs.tsx";
import { importSourcePages } from "./pages/import-sources.tsx";
import { integrationPages } from "./pages/integrations.tsx";
import { peopleImportPages } from "./pages/people-import.tsx";
import { exportPages } from "./pages/exports.tsx";
import { heldChangePages } from "./pages/held-changes.tsx";
import { personAccessPages } from "./pages/person-access.tsx";
import { presencePages } from "./pages/presence.tsx";
import { personCredentialPages } from "./pages/person-credentials.tsx";
import { peoplePages } from "./pages/people.tsx";
import { recordPages } from "./pages/records.tsx";
import { settingsPages } from "./pages/settings.tsx";
import { backupPages } from "./pages/backup-pages.tsx";
import { terminalCommandPages } from "./pages/terminal-commands.tsx";
import { jobPages } from "./pages/jobs.tsx";
import { liveProgressRoutes } from "./live-progress.tsx";
import { terminalPages } from "./pages/terminals.tsx";
import { timesheetPages } from "./pages/timesheets.ts";
import { webhookPages } from "./pages/webhooks.tsx";
import { hrDestinationPages } from "./pages/hr-destinations.tsx";

/**
 * Everything comes from this server: no CDN, no inline script or style (the LAN may have no
 * internet, and an injected inline script must not run).
 */
const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export interface UiApp {
  fetch(req: Request, env?: UiBindings): Response | Promise<Response>;
  /** Every route (middleware shows as method ALL), so a test can walk the state-changing ones as they are added. */
  readonly routes: ReadonlyArray<{ method: string; path: string }>;
  stop(): void;
}

export function createUiApp(deps: UiDeps): UiApp {
  const rate = new IngestRate(deps.bus, deps.now);
  const live = new LiveStatusSource(deps, rate);
  const app = new Hono<UiEnv>();

  app.use("*", async function securityHeaders(c, next) {
    await next();
    c.header("content-security-policy", CSP);
    c.header("x-content-type-options", "nosniff");
    c.header("x-frame-options", "DENY");
    c.header("referrer-policy", "same-origin");
  });

  app.get("/assets/*", (c) => assetResponse(c.req.path) ?? c.text("no such asset", 404));
  app.route("/", authPages(deps));

  const authed = new Hono<UiEnv>();
  authed.use("*", requireSession(deps));
  authed.use("*", keepRefusedForm);
  authed.get("/live/events", liveEvents(deps, live));
  authed.route("/", dashboardPage(deps, live));
  authed.route("/", terminalPages(deps));
  authed.route("/", terminalCommandPages(deps));
  authed.route("/", liveProgressRoutes(deps));
  authed.route("/", doorPages(deps));
  authed.route("/", presencePages(deps));
  authed.route("/", jobPages(deps));
  authed.route("/", groupPages(deps));
  // Before the people pages: /people/held is not a person.
  authed.route("/", heldChangePages(deps));
  authed.route("/", peoplePages(deps));
  authed.route("/", personCredentialPages(deps));
  authed.route("/", personAccessPages(deps));
  authed.route("/", recordPages(deps));
  authed.route("/", timesheetPages(deps));
  authed.route("/", accessPages(deps));
  authed.route("/", exportPages(deps));
  authed.route("/", integrationPages(deps));
  authed.route("/", webhookPages(deps));
  authed.route("/", hrDestinationPages(deps));
  // A large import from a CSV file or a saved source runs in the background, followed on its own page.
  const importRuns = new ImportRuns();
  authed.route("/", importRunPages(deps, importRuns));
  authed.route("/", peopleImportPages(deps, importRuns));
  authed.route("/", importSourcePages(deps, importRuns));
  authed.route("/", auditPage(deps));
  authed.route("/", settingsPages(deps));
  authed.route("/", backupPages(deps));
  authed.route("/", accountPage(deps));
  app.route("/", authed);

  app.notFound((c) => c.text("Page not found.", 404));
  app.onError((err, c) => errorResponse(err, c, deps.log));

  return {
    fetch: (req, env) => app.fetch(req, env),
    routes: app.routes.map(({ method, path }) => ({ method, path })),
    stop: () => {
      live.stop();
      rate.stop();
    },
  };
}
