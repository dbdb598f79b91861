/**
 * Saved HR sources for the people import (`Store.importSources`): an HTTP JSON API configured
 * once in the admin UI and run on demand. The store keeps the settings as given; what the JSON
 * columns mean (and their validation) belongs to src/people-import/saved-source.ts.
 */
import type { PeopleImportSourceRow } from "./schema.ts";

export interface ImportSourceSettings {
  name: string;
  url: string;
  /** Header name and sealed value (never shown back); both null for no auth header. */
  authHeader: string | null;
  authSealed: string | null;
  /** JSON: where the list sits in each page and which item field feeds which person field. */
  mapping: string;
  /** JSON: how to walk the pages. */
  paging: string;
  /** Disable people (with an external id) that the source no longer lists. */
  disableMissing: boolean;
}

export interface ImportSourceStore {
  list(): Promise<PeopleImportSourceRow[]>;
  get(id: number): Promise<PeopleImportSourceRow | null>;
  create(settings: ImportSourceSettings, at: number): Promise<PeopleImportSourceRow>;
  update(id: number, changes: Partial<ImportSourceSettings>, at: number): Promise<PeopleImportSourceRow | null>;
  delete(id: number): Promise<boolean>;
  /** After a run (applied, not a dry run): when, and one line saying what it did or why it failed. */
  recordRun(id: number, result: string, at: number): Promise<void>;
}
