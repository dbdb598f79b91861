/** Reading the admin UI's server-rendered HTML in in-process tests. */

/** Visible text of some HTML, entities decoded, whitespace collapsed. */
export const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&")
    .replaceAll("&#39;", "'")
    .replace(/\s+/g, " ")
    .trim();

/** The items of a refused form's problem summary, as text. */
export const formErrors = (html: string) =>
  [...(/<div class="flash flash-error" role="alert" data-form-errors="">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? "").matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1] ?? ""));
