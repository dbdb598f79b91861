/**
 * The HTTP side: `/health` for load balancers, `/api/v1` behind API tokens. Terminal sockets
 * never reach here (the gateway takes them first).
 */
import type { PassDeps } from "../app/access-passes.ts";
import type { TimesheetDeps } from "../app/timesheets/deps.ts";
import { timesheetsApi } from "./api/timesheets.ts";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { Notifier } from "../alerts/notifier.ts";
import type { AlertSource } from "../alerts/source.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import type { PeopleService } from "../people/service.ts";
import type { SiteClock } from "../protocol/index.ts";
import type { Store } from "../store/contract.ts";
import type { Integrations } from "../integrations.ts";
import type { Writer } from "../store/writer.ts";
import type { TerminalRegistry } from "../terminals/registry.ts";
import type { UiApp } from "../ui/app.ts";
import type { AllowList } from "../lib/ip-allow-list.ts";
import { deadline } from "../lib/deadline.ts";
import type { LagSummary } from "../obs/loop-lag.ts";
import { accessApi } from "./api/access.ts";
import { alertsApi } from "./api/alerts.ts";
import { notificationsApi } from "./api/notifications.ts";
import { backupApi } from "./api/backup.ts";
import { commandsApi } from "./api/commands.ts";
import { peopleApi } from "./api/people.ts";
import { peopleImportApi } from "./api/people-import.ts";
import { siteAdminApi } from "./api/site-admin.ts";
import { exportApi } from "./api/export.ts";
import { recordsApi } from "./api/records.ts";
import { terminalsApi } from "./api/terminals.ts";
import { doorsApi } from "./api/doors.ts";
import type { PresenceLive } from "../terminals/presence-live.ts";
import { webhooksApi } from "./api/webhooks.ts";
import { hrDestinationsApi } from "./api/hr-destinations.ts";
import { errorResponse } from "./errors.ts";
import type { BackupDownloads } from "../app/backups.ts";
import { biotimeApi } from "./biotime/api.ts";
import { allowedHosts } from "./allowed-hosts.ts";
import { apiBodyLimit, outerBodyLimit } from "./body-limits.ts";
import { bearerAuth } from "./middleware/bearer-auth.ts";
import { tokenScope } from "./middleware/token-scope.ts";
import { metricsRoute } from "./metrics-route.ts";

export interface HttpDeps {
  store: Store;
  /** The site's current alerts: GET /api/v1/alerts. */
  alerts: AlertSource;
  /** Alert notifications: /api/v1/notifications. */
  notifier: Notifier;
  /** The site settings (site name and clock for the notifications' test e-mail). */
  settings: SiteSettings;
  writer: Writer;
  registry: TerminalRegistry;
  log: Logger;
  now: () => number;
  version: string;
  dispatcher: CommandDispatcher;
  people: PeopleService;
  /** Time and attendance: the use cases' deps (src/app/timesheets/). */
  timesheets: TimesheetDeps;
  /** Access control: the use cases' deps (src/app/access.ts). */
  access: PassDeps;
  /** Who is inside (issue 16): GET /api/v1/presence. */
  presence: PresenceLive;
  /** GET /metrics (absent: no such route). */
  metrics?: { render: () => string; allow: AllowList };
  /** GET /api/v1/backup (absent: no such route). */
  backups?: BackupDownloads;
  /** The admin UI: every path outside /api, /health and /metrics (absent: API only). */
  ui?: UiApp;
  /** Cluster mode: this instance and its Redis link, shown by /health (Redis down is not unhealthy: ingest goes on). */
  cluster?: { status(): { instance: string; redis: string } };
  /** PostgreSQL export and webhooks. */
  integrations: Integrations;
  /** The site clock (its time zone is a site setting): the BioTime API shows times in it. */
  clock: () => SiteClock;
  /** Event-loop lag, shown by /health (how long anything waits for its turn). */
  loopLag?: () => LagSummary;
  /** Host names the app answers to (empty: any). */
  allowedHosts: ReadonlySet<string>;
  /** Why the store was opened read-only (disk full at start); /health is 503 until the restart read-write. */
  readOnly?: string;
}

/** /health turns 503 when this share of the writer queue bound is waiting: the writer is not keeping up. */
const QUEUE_UNHEALTHY = 0.9;
const HEALTH_PING_MS = 2000;

export function createHttpApp(deps: HttpDeps) {
  const app = new Hono();
  app.use("*", allowedHosts(deps.allowedHosts), outerBodyLimit(), async function hsts(c, next) {
    await next();
    // Over HTTPS (ours, or a trusted proxy's), browsers are told never to come back in clear.
    if (new URL(c.req.url).protocol === "https:") c.header("strict-transport-security", "max-age=31536000");
  });

  app.get("/health", async (c) => {
    const problems: string[] = [];
    try {
      // A store on a network that drops packets never answers: the load balancer's check must still get one.
      await deadline(deps.store.ping(), HEALTH_PING_MS, () => new Error(`no answer within ${HEALTH_PING_MS / 1000} s`));
    } catch (err) {
      problems.push(`store unreadable: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (deps.readOnly) problems.push(`store read-only (disk full?): ${deps.readOnly}`);
    const failure = deps.writer.failure;
    if (failure) problems.push(`store not writable: ${failure}`);
    if (deps.writer.depth >= deps.writer.limit * QUEUE_UNHEALTHY) {
      problems.push(`writer not keeping up: ${deps.writer.depth} of ${deps.writer.limit} queued records`);
    }
    if (deps.writer.stopping) problems.push("shutting down");
    const body = {
      status: problems.length === 0 ? "ok" : "unavailable",
      version: deps.version,
      store: { status: problems.length === 0 ? "ok" : "failing", queue_depth: deps.writer.depth, problems },
      terminals_connected: deps.registry.size,
      ...(deps.loopLag ? { event_loop: lagJson(deps.loopLag()) } : {}),
      ...(deps.cluster ? { cluster: deps.cluster.status() } : {}),
    };
    return c.json(body, problems.length === 0 ? 200 : 503);
  });

  if (deps.metrics) app.route("/metrics", metricsRoute({ ...deps.metrics, store: deps.store, now: deps.now }));

  const api = new Hono();
  // The scope check may read a command's body: after the body limit.
  api.use("*", bearerAuth(deps.store, deps.now), apiBodyLimit(), tokenScope("/api/v1"));
  api.route("/alerts", alertsApi(deps.alerts));
  api.route("/notifications", notificationsApi({ ...deps, secrets: () => deps.integrations.secrets }));
  const accessChanged = deps.access.changed;
  api.route("/terminals", terminalsApi({ ...deps, ...(accessChanged ? { accessChanged } : {}), entrancesChanged: () => deps.presence.reload() }));
  api.route("/", recordsApi(deps.store));
  api.route("/", commandsApi(deps));
  api.route("/", peopleApi(deps));
  api.route("/people/import", peopleImportApi(deps));
  api.route("/", siteAdminApi({ ...deps, secrets: () => deps.integrations.secrets }));
  api.route("/", timesheetsApi(deps.timesheets));
  api.route("/", accessApi(deps.access));
  api.route("/", doorsApi(deps));
  const { store, exporter, webhookAdmin, cluster } = deps.integrations;
  api.route("/export", exportApi(exporter, cluster));
  api.route("/webhooks", webhooksApi({ store, admin: webhookAdmin }));
  api.route("/hr-destinations", hrDestinationsApi({ store, connectors: deps.integrations.connectors, secrets: deps.integrations.secrets, now: deps.now }));
  if (deps.backups) api.route("/backup", backupApi(deps.backups));
  app.route("/api/v1", api);

  // BioTime's paths (/api-token-auth/, /iclock/api/…, /personnel/api/…) sit beside the admin UI's.
  app.route("/", biotimeApi({ store: deps.store, secrets: deps.integrations.secrets, now: deps.now, clock: deps.clock }));

  const ui = deps.ui;
  if (ui) app.all("*", (c, next) => (c.req.path.startsWith("/api/") ? next() : ui.fetch(c.req.raw, c.env as Parameters<UiApp["fetch"]>[1])));

  app.notFound((c) => c.json({ code: "not_found", message: "no such route" }, 404));
  app.onError((err, c) => errorResponse(err, c, deps.log));
  return app;
}

const lagJson = (lag: LagSummary) => ({ lag_ms: ms(lag.last), lag_p99_ms: ms(lag.p99), lag_max_ms: ms(lag.max) });
const ms = (seconds: number) => Math.round(seconds * 10_000) / 10;
