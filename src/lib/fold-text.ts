/**
 * Text as a search compares it: accents and case folded ("Jürgen", "JURGEN" and "jurgen" are one),
 * done here rather than in SQL so that SQLite and PostgreSQL find the same people.
 */
export function foldText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
