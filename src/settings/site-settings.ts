/**
 * Site settings an admin changes in the UI while the server runs: site name, time zone, terminal
 * approval policy, what a keypad enrolment becomes, alert thresholds and the CSV exports' delimiter. Stored in the `settings` table; a stored value wins over
 * the `serve` flag (the flag is the default until an admin saves the setting). Whoever needs
 * one reads it through this object at the moment of use, so a change applies at once.
 */
import { z } from "zod";
import { type CsvDelimiter, csvDelimiterSchema, delimiterOfTimeZone } from "../export/csv.ts";
import { KEYPAD_ENROLMENT, type KeypadEnrolment } from "../people/terminal-change.ts";
import { isValidTimeZone, SiteClock } from "../protocol/index.ts";
import type { Store } from "../store/contract.ts";

export const siteSettingsSchema = z.object({
  siteName: z.string().trim().min(1, "enter a site name").max(80, "use at most 80 characters"),
  tz: z.string().trim().refine(isValidTimeZone, "not a known IANA time zone (e.g. Europe/Paris)"),
  approval: z.enum(["open", "approve"]),
  /** 0: a terminal is offline the moment it goes (a flapping one is then left to the notifications' quiet period). */
  offlineAlertMinutes: z.coerce.number().int("a whole number").min(0).max(10_080),
  driftAlertSeconds: z.coerce.number().int("a whole number").min(5).max(86_400),
  /** Semicolon for spreadsheets in locales whose decimal separator is a comma; until saved, as the time zone's place writes (`delimiterOfTimeZone`). */
  csvDelimiter: csvDelimiterSchema,
  /** What a person enrolled on a terminal's keypad becomes (people/terminal-change.ts): applied, held for an admin, or ignored. */
  keypadEnrolment: z.enum(KEYPAD_ENROLMENT),
});

export type SiteSettingsValues = z.infer<typeof siteSettingsSchema>;

const KEYS: Record<keyof SiteSettingsValues, string> = {
  siteName: "site_name",
  tz: "tz",
  approval: "approval",
  offlineAlertMinutes: "offline_alert_minutes",
  driftAlertSeconds: "drift_alert_seconds",
  csvDelimiter: "csv_delimiter",
  keypadEnrolment: "keypad_enrolment",
};

export const SETTING_DEFAULTS = {
  siteName: "TM20 Server",
  offlineAlertMinutes: 10,
  driftAlertSeconds: 60,
  // Accept, as before: changes and anything for a terminal admin are held whatever this says (README).
  keypadEnrolment: "accept" as KeypadEnrolment,
} as const;

export class SiteSettings {
  #store: Store;
  #values: SiteSettingsValues;
  #clock: SiteClock;

  private constructor(store: Store, values: SiteSettingsValues) {
    this.#store = store;
    this.#values = values;
    this.#clock = new SiteClock(values.tz);
  }

  /** Reads the stored settings over the flag defaults; a stored value that no longer validates is ignored. */
  static async load(store: Store, defaults: { tz: string; approval: "open" | "approve" }): Promise<SiteSettings> {
    const stored = await store.admin.settings();
    const values: Record<string, unknown> = { ...SETTING_DEFAULTS, ...defaults };
    for (const [field, key] of Object.entries(KEYS)) {
      const raw = stored[key];
      if (raw === undefined) continue;
      const one = siteSettingsSchema.shape[field as keyof SiteSettingsValues].safeParse(raw);
      if (one.success) values[field] = one.data;
    }
    values.csvDelimiter ??= delimiterOfTimeZone(String(values.tz));
    return new SiteSettings(store, siteSettingsSchema.parse(values));
  }

  get values(): SiteSettingsValues {
    return { ...this.#values };
  }

  get siteName() {
    return this.#values.siteName;
  }

  get approval() {
    return this.#values.approval;
  }

  get keypadEnrolment(): KeypadEnrolment {
    return this.#values.keypadEnrolment;
  }

  get csvDelimiter(): CsvDelimiter {
    return this.#values.csvDelimiter;
  }

  /** The site clock in the current time zone (replaced when the zone changes). */
  get clock(): SiteClock {
    return this.#clock;
  }

  /** Persists the validated values, then applies them. */
  async update(values: SiteSettingsValues, at: number): Promise<void> {
    const rows: Record<string, string> = {};
    for (const [field, key] of Object.entries(KEYS)) rows[key] = String(values[field as keyof SiteSettingsValues]);
    await this.#store.admin.putSettings(rows, at);
    if (values.tz !== this.#values.tz) this.#clock = new SiteClock(values.tz);
    this.#values = { ...values };
  }
}
