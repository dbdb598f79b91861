import type { z } from "zod";
import { badRequest } from "../lib/app-error.ts";
import { describeError } from "../protocol/index.ts";

/** `value` through `schema`; the first problem is a bad_request naming its field. */
export function validInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(describeError(parsed.error));
  return parsed.data;
}
