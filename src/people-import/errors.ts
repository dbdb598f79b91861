/** The source itself is unusable (no header, broken quoting, HTTP failure): nothing is imported. */
export class ImportSourceError extends Error {
  override name = "ImportSourceError";
}
