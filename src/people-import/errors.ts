import { AppError } from "../lib/app-error.ts";

/** The source itself is unusable (no header, broken quoting, HTTP failure): nothing is imported. */
export function sourceError(message: string): AppError {
  return new AppError(400, "bad_source", message);
}
