import { hasCode } from "../lib/app-error.ts";

/**
 * One page of a keyset-paged list; a cursor the store refuses (an edited or outdated link) shows
 * the first page instead of an error page.
 */
export async function pageOrFirst<T>(load: (cursor: string | undefined) => Promise<T>, cursor: string | undefined): Promise<T> {
  if (cursor === undefined) return load(undefined);
  try {
    return await load(cursor);
  } catch (err) {
    if (!hasCode(err, "bad_cursor")) throw err;
    return load(undefined);
  }
}
