/**
 * The server's HTTP side built in this process, as src/server.ts wires it (store, writer, command
 * engine, people service, webhooks, admin UI, API) but without a port or terminals: requests go
 * to `request()` (Hono's `app.request`), so a test of the doors runs in milliseconds.
 */
import { rmSync } from "node:fs";
import pino from "pino";
import { Notifier } from "../../src/alerts/notifier.ts";
import { AlertSource } from "../../src/alerts/source.ts";
import { BackupDownloads } from "../../src/app/backups.ts";
import { hashToken } from "../../src/auth/tokens.ts";
import { CommandDispatcher } from "../../src/commands/dispatcher.ts";
import type { PassDeps } from "../../src/app/access-passes.ts";
import type { TimesheetDeps } from "../../src/app/timesheets/deps.ts";
import { TimesheetRecompute } from "../../src/jobs/timesheet-recompute.ts";
import { EventBus } from "../../src/events/bus.ts";
import { createHttpApp } from "../../src/http/app.ts";
import { startIntegrations } from "../../src/integrations.ts";
import { PeopleService } from "../../src/people/service.ts";
import { SiteSettings } from "../../src/settings/site-settings.ts";
import { openStore } from "../../src/store/open.ts";
import { snapshotToTempFile } from "../../src/store/sqlite/snapshot-process.ts";
import { Writer } from "../../src/store/writer.ts";
import type { TerminalConnection } from "../../src/terminals/connection.ts";
import { TerminalRegistry } from "../../src/terminals/registry.ts";
import { PresenceLive } from "../../src/terminals/presence-live.ts";
import { SESSION_COOKIE } from "../../src/ui/auth-guard.ts";
import { createUiApp, type UiApp } from "../../src/ui/app.ts";
import { tempDir } from "./server.ts";

export interface InProcessApp {
  dataDir: string;
  store: Awaited<ReturnType<typeof openStore>>;
  /** The alert notifier, to drive a look at the alerts (`tick()`) at the time the test chose. */
  notifier: Notifier;
  /** Stops the notifier and starts a new one on the same store, as a restart of the server would. */
  restartNotifier(): Promise<Notifier>;
  /** Any request, as the server's Bun.serve would hand it over. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** An API call with the token "api" (actor `token:api`). */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** A form posted by the logged-in admin "admin" (actor `user:admin`), CSRF token included; pairs repeat a field (checkboxes). */
  form(path: string, fields?: Record<string, string> | Array<[string, string]>): Promise<Response>;
  /** The admin UI's routes, as src/ui/app.ts registers them. */
  uiRoutes: UiApp["routes"];
  /** A GET of the admin UI by the logged-in admin "admin". */
  page(path: string, headers?: Record<string, string>): Promise<Response>;
  /** The daily results' recomputation: `idle()` waits for what changes queued. */
  recompute: TimesheetRecompute;
  /** The bus the server's parts listen on (a test that writes to the store directly tells them with `records-committed`). */
  bus: EventBus;
  /** Who is inside: `settled()` waits for the commits seen so far. */
  presence: PresenceLive;
  stop(): Promise<void>;
}

export const API_TOKEN = "tm20_in-process-test-token";
const SESSION = "in-process-test-session";
const CSRF = "in-process-test-csrf";

export async function buildApp(now: () => number = Date.now): Promise<InProcessApp> {
  const dataDir = tempDir("tm20-app-");
  const log = pino({ level: process.env.TM20_TEST_LOG ?? "silent" });
  const store = await openStore({ kind: "sqlite", dataDir });
  const writer = new Writer({ store, log, maxQueuedRecords: 10_000, maxBatchRecords: 4_000, retryDelayMs: 1000, commitTimeoutMs: 10_000 });
  const bus = new EventBus();
  const registry = new TerminalRegistry<TerminalConnection>();
  const settings = await SiteSettings.load(store, { tz: "UTC", approval: "open" });
  const dispatcher = new CommandDispatcher({ store, writer, bus, clock: settings.clock, log, now, timeoutMs: 30_000, maxAttempts: 3, pageCap: 100, exclusive: true });
  const people = new PeopleService({ store, writer, dispatcher, log, now });
  const access: PassDeps = { store, now, localTime: (ms) => settings.clock.format(ms) };
  const presence = new PresenceLive({ store, bus, log, now, clock: () => settings.clock, refreshMs: 3_600_000 });
  const recompute = new TimesheetRecompute({ store, clock: settings.clock, log, now, debounceMs: 10 });
  const timesheets: TimesheetDeps = { store, clock: settings.clock, recompute, now };
  const integrations = await startIntegrations({
    config: { dataDir, pgUrl: "", pgSchema: "tm20", pgTemplates: "off", webhookRetryBaseMs: 1000, webhookRetryMaxMs: 60_000, webhookLeaseMs: 15_000 },
    store, bus, log, now, version: "test", clock: () => settings.clock,
  });
  const alerts = new AlertSource({ store, settings, now, exporter: null, storeHealth: () => null });
  const newNotifier = () => new Notifier({ alerts, store, settings, secrets: integrations.secrets, webhooks: integrations.webhooks, log, now });
  const notifier = newNotifier();
  const backups = new BackupDownloads({ snapshot: () => snapshotToTempFile(dataDir), store, log, now });
  // An admin exists (made below), so there is no first-run setup code.
  const ui = createUiApp({ store, alerts, notifier, writer, registry, bus, settings, dispatcher, people, timesheets, access, presence, log, now, version: "test", integrations, backups, secrets: () => integrations.secrets, setupCode: null });
  const http = createHttpApp({ store, alerts, notifier, settings, writer, registry, log, now, version: "test", ui, dispatcher, people, timesheets, access, presence, backups, integrations, clock: () => settings.clock, allowedHosts: new Set() });
  await dispatcher.start();
  await people.start();
  await notifier.start();
  await recompute.start(bus);
  await presence.start();

  await store.createToken("api", hashToken(API_TOKEN), now());
  const admin = await store.admin.createUser({ username: "admin", role: "admin", passwordHash: "not used", at: now() });
  if (!admin) throw new Error("admin user not created");
  await store.admin.createSession({ tokenHash: hashToken(SESSION), userId: admin.id, csrfToken: CSRF, at: now(), expiresAt: now() + 3_600_000, remoteAddr: null });

  const request = async (path: string, init?: RequestInit) => http.request(`http://tm20.test${path}`, init);
  return {
    dataDir,
    store,
    notifier,
    async restartNotifier() {
      await notifier.stop();
      const again = newNotifier();
      await again.start();
      return again;
    },
    request,
    api: (method, path, body) =>
      request(`/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${API_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    form: (path, fields = {}) =>
      request(path, {
        method: "POST",
        headers: { cookie: `${SESSION_COOKIE}=${SESSION}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams([...(Array.isArray(fields) ? fields : Object.entries(fields)), ["_csrf", CSRF]]).toString(),
      }),
    uiRoutes: ui.routes,
    page: (path, headers = {}) => request(path, { headers: { cookie: `${SESSION_COOKIE}=${SESSION}`, ...headers } }),
    recompute,
    bus,
    presence,
    async stop() {
      ui.stop();
      presence.stop();
      await recompute.stop();
      dispatcher.stop();
      await integrations.stop();
      await writer.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
