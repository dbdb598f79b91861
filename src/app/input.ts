import type { z } from "zod";
import { invalidInput } from "../lib/app-error.ts";

/**
 * `value` through `schema`; the first problem is a bad_request naming its field (under `at`, the
 * field `value` is in the caller's input: "credentials.apiKey").
 */
export function validInput<T extends z.ZodType>(schema: T, value: unknown, at?: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error, at);
  return parsed.data;
}
