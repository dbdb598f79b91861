/**
 * An HR JSON source saved in the store (`Store.importSources`) and run on demand: its stored
 * columns, read back into the same `HttpSource` the API takes, with the auth header opened from
 * its sealed value only for the run. The JSON columns are validated on the way in and out.
 */
import { z } from "zod";
import type { SecretBox } from "../auth/secret-box.ts";
import type { ImportSourceSettings } from "../store/import-source-contract.ts";
import type { PeopleImportSourceRow } from "../store/schema.ts";
import { type HttpSource, httpSource } from "./http-source.ts";

const storedMapping = z.object({ items: httpSource.shape.items, fields: httpSource.shape.mapping });
const storedPaging = httpSource.shape.paging;

export type SourceMapping = z.infer<typeof storedMapping>;
export type SourcePaging = z.infer<typeof storedPaging>;

export interface SavedSource {
  id: number;
  name: string;
  url: string;
  /** The auth header's name; its value stays sealed. */
  authHeader: string | null;
  mapping: SourceMapping;
  paging: SourcePaging;
  disableMissing: boolean;
  lastRunAt: number | null;
  lastResult: string | null;
}

export function parseSavedSource(row: PeopleImportSourceRow): SavedSource {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    authHeader: row.authHeader,
    mapping: storedMapping.parse(JSON.parse(row.mapping)),
    paging: storedPaging.parse(JSON.parse(row.paging)),
    disableMissing: row.disableMissing,
    lastRunAt: row.lastRunAt,
    lastResult: row.lastResult,
  };
}

/** What the admin sets; `auth` undefined keeps the stored header, null removes it. */
export interface SourceSettings {
  name: string;
  url: string;
  auth?: { name: string; value: string } | null;
  mapping: SourceMapping;
  paging: SourcePaging;
  disableMissing: boolean;
}

export function sourceColumns(s: SourceSettings, box: SecretBox): ImportSourceSettings | Omit<ImportSourceSettings, "authHeader" | "authSealed"> {
  const plain = {
    name: s.name,
    url: s.url,
    mapping: JSON.stringify(storedMapping.parse(s.mapping)),
    paging: JSON.stringify(storedPaging.parse(s.paging)),
    disableMissing: s.disableMissing,
  };
  if (s.auth === undefined) return plain;
  return { ...plain, authHeader: s.auth?.name ?? null, authSealed: s.auth ? box.seal(s.auth.value) : null };
}

/** The source as one run reads it (the sealed header opened here, for this run only). */
export function runnableSource(row: PeopleImportSourceRow, box: SecretBox): HttpSource {
  const saved = parseSavedSource(row);
  const headers = row.authHeader && row.authSealed ? { [row.authHeader]: box.open(row.authSealed) } : {};
  return httpSource.parse({ url: saved.url, headers, items: saved.mapping.items, mapping: saved.mapping.fields, paging: saved.paging });
}
