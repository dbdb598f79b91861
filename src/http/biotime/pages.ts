/**
 * BioTime's list envelope (Django REST framework's page-number pagination plus BioTime's `msg`
 * and `code`): `next`/`previous` are absolute URLs built from the request's own URL, so every
 * filter the client sent is kept, and JSON null at the ends. Most connectors follow `next`
 * verbatim until it is null.
 */
export const DEFAULT_PAGE_SIZE = 10;
/** DRF clamps a larger page_size to its maximum silently. Scripts that count pages themselves from `count / page_size` would then miss rows, so the maximum is generous (about 6 MB of JSON). */
export const MAX_PAGE_SIZE = 10_000;

export interface PageRequest {
  page: number;
  size: number;
  offset: number;
}

/** The page asked for; null when `page` is not a page number (DRF answers 404 "Invalid page."). */
export function pageRequest(query: Record<string, string>): PageRequest | null {
  const rawPage = query.page ?? "1";
  if (!/^\d{1,9}$/.test(rawPage) || Number(rawPage) < 1) return null;
  const page = Number(rawPage);
  const rawSize = query.page_size ?? "";
  const asked = /^\d{1,9}$/.test(rawSize) && Number(rawSize) > 0 ? Number(rawSize) : DEFAULT_PAGE_SIZE;
  const size = Math.min(asked, MAX_PAGE_SIZE);
  return { page, size, offset: (page - 1) * size };
}

/** Past the last page (page 1 of nothing is an empty page, as DRF has it). */
export function pastTheEnd(p: PageRequest, count: number): boolean {
  return p.page > 1 && p.offset >= count;
}

export interface ListBody<T> {
  count: number;
  next: string | null;
  previous: string | null;
  msg: "";
  code: 0;
  data: T[];
}

export function listBody<T>(requestUrl: string, p: PageRequest, count: number, data: T[]): ListBody<T> {
  const at = (page: number) => {
    const url = new URL(requestUrl);
    // DRF drops `page` on the link back to the first page.
    if (page === 1) url.searchParams.delete("page");
    else url.searchParams.set("page", String(page));
    return url.toString();
  };
  return {
    count,
    next: p.offset + p.size < count ? at(p.page + 1) : null,
    previous: p.page > 1 ? at(Math.min(p.page - 1, Math.max(1, Math.ceil(count / p.size)))) : null,
    msg: "",
    code: 0,
    data,
  };
}
