import { z } from "zod";
import { hasCode } from "../lib/app-error.ts";
import { isCursor } from "../store/cursor.ts";

const cursorParam = z.string().max(200).refine(isCursor).optional().catch(undefined);

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

/**
 * The page a list's `cursor` query parameter asks for (anything that is not a cursor reads as the
 * first page), and the query the Pager keeps: `base` (the list's filters) plus that cursor.
 */
export async function pageFromQuery<T>(
  raw: string | undefined,
  load: (cursor: string | undefined) => Promise<T>,
  base: Record<string, string> | URLSearchParams = {},
): Promise<{ page: T; query: URLSearchParams }> {
  const cursor = cursorParam.parse(raw);
  const query = new URLSearchParams(base);
  if (cursor) query.set("cursor", cursor);
  return { page: await pageOrFirst(load, cursor), query };
}
