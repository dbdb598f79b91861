/**
 * The one reading of a numeric id in a URL path (`/people/1`, `/jobs/7`), shared by the API and
 * the admin UI so both accept the same spelling: canonical decimal digits only, 1..max. "1e3",
 * "+1", " 1", "01", "1.0", "0x1", "0", "-1" and anything past `max` name no row, so they are
 * answered as an unknown id is (404 not_found); a lenient `Number()` would make `/people/01` and
 * `/people/1e0` aliases of `/people/1`.
 */
import { notFound } from "./app-error.ts";

/**
 * The largest row id: the id columns are BIGSERIAL, read as JS numbers, so the exact ones end at
 * 2^53 - 1. Enroll ids have their own, smaller range (protocol `ENROLLID_MAX`, passed as `max`).
 */
export const ID_MAX = Number.MAX_SAFE_INTEGER;

/** The id `raw` spells, or null when it is not one (not canonical digits, zero, above `max`). */
export function parsePathId(raw: string | undefined, max: number = ID_MAX): number | null {
  // 16 digits hold every max here; a longer string is above it without reading it.
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= max ? id : null;
}

/** The id `raw` spells; anything else is a 404 "no such {what}", as an unknown id is. */
export function pathId(raw: string | undefined, what: string, max: number = ID_MAX): number {
  const id = parsePathId(raw, max);
  if (id === null) throw notFound(`no such ${what}`);
  return id;
}
