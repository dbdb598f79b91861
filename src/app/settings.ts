/** The site settings an admin changes while the server runs (they apply at once). */
import type { Logger } from "pino";
import { type SiteSettings, type SiteSettingsValues, siteSettingsSchema } from "../settings/site-settings.ts";
import type { Store } from "../store/contract.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

export interface SettingsDeps {
  store: Store;
  settings: SiteSettings;
  log: Logger;
  now: () => number;
}

/**
 * Saves the settings (validated as a whole; one the input leaves out keeps its value, so a form
 * from before a setting existed still saves); the audit entry lists those that changed.
 */
export async function updateSiteSettings(deps: SettingsDeps, actor: Actor, input: unknown): Promise<void> {
  const before = deps.settings.values;
  const values = validInput(siteSettingsSchema, input !== null && typeof input === "object" ? { ...before, ...input } : input);
  const changed = Object.fromEntries(
    (Object.keys(values) as Array<keyof SiteSettingsValues>).filter((k) => values[k] !== before[k]).map((k) => [k, values[k]]),
  );
  await deps.settings.update(values, deps.now());
  await audit(deps, actor, "settings.update", "site", changed);
  deps.log.info({ changed }, "site settings changed");
}
