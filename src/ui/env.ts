import type { PassDeps } from "../app/access-passes.ts";
import type { TimesheetDeps } from "../app/timesheets/deps.ts";
import type { Logger } from "pino";
import type { Notifier } from "../alerts/notifier.ts";
import type { AlertSource } from "../alerts/source.ts";
import type { SecretBox } from "../auth/secret-box.ts";
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import type { EventBus } from "../events/bus.ts";
import type { BackupDownloads } from "../app/backups.ts";
import type { ConfigLine } from "../config/load.ts";
import type { Integrations } from "../integrations.ts";
import type { PeopleService } from "../people/service.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import type { Store } from "../store/contract.ts";
import type { AdminSessionRow, AdminUserRow } from "../store/schema.ts";
import type { Writer } from "../store/writer.ts";
import type { TerminalRegistry } from "../terminals/registry.ts";
import type { PresenceLive } from "../terminals/presence-live.ts";
import type { TerminalEndpoint } from "./terminal-urls.ts";

/** What the UI needs from the running server (handed in by src/server.ts). */
export interface UiDeps {
  store: Store;
  /** The site's current alerts (the dashboard shows the same as GET /api/v1/alerts). */
  alerts: AlertSource;
  /** Alert notifications (Settings → Notifications). */
  notifier: Notifier;
  writer: Writer;
  registry: TerminalRegistry;
  bus: EventBus;
  settings: SiteSettings;
  /** The command engine and people service the REST API uses: the UI calls the same ones. */
  dispatcher: CommandDispatcher;
  people: PeopleService;
  /** Time and attendance: the use cases' deps (src/app/timesheets/). */
  timesheets: TimesheetDeps;
  /** Who is inside (issue 16): /presence and its muster list. */
  presence: PresenceLive;
  /** Access control: the use cases' deps (src/app/access.ts); `changed` is what a terminal's access mode change awaits too. */
  access: PassDeps;
  /** Settings → Download backup (absent in a cluster: the store is PostgreSQL). */
  backups?: BackupDownloads;
  /** PostgreSQL export (never in a cluster) and webhooks. */
  integrations: Pick<Integrations, "store" | "exporter" | "webhookAdmin" | "connectors" | "secrets" | "cluster">;
  /** Seals the saved HR sources' credentials (the data directory's key, loaded on first use). */
  secrets: () => SecretBox;
  /** The flags the server started with (Settings → Server configuration, admins only); absent in tests that build the UI alone. */
  config?: ConfigLine[];
  log: Logger;
  now: () => number;
  version: string;
  /** The port and address terminals connect to, once the server listens (null before; absent in tests without a port). */
  terminalEndpoint?: () => TerminalEndpoint | null;
  /** What /setup wants before it creates the first admin (printed at start); null: an admin existed at start. */
  setupCode: string | null;
}

/** The Bun server, passed as Hono's env so handlers can see the client address. */
export interface UiBindings {
  requestIP?(req: Request): { address: string } | null;
}

export interface UiEnv {
  Bindings: UiBindings;
  Variables: { user: AdminUserRow; session: AdminSessionRow };
}
