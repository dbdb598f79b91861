import type { Context } from "hono";
import type { z } from "zod";
import { invalidInput } from "../lib/app-error.ts";

/** The request's JSON body through one schema; a bad or missing body is a 400 naming the field. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}
