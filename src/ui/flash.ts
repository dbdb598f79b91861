/** One-shot messages across a redirect (post, redirect, get): a short-lived cookie read once. */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";

const FLASH_COOKIE = "tm20_flash";

/** A link after the text goes to a page of this UI only (a path), never elsewhere. */
const flashLink = z.object({ href: z.string().regex(/^\/(?!\/)/).max(200), text: z.string().max(100) });
/** A command the message is about, followed live under it (src/ui/live-progress.tsx). */
const flashCommand = z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), label: z.string().max(100) });
const flashSchema = z.object({ kind: z.enum(["ok", "error"]), text: z.string().max(500), link: flashLink.optional(), command: flashCommand.optional() });
export type Flash = z.infer<typeof flashSchema>;

export function redirectWith(c: Context, to: string, kind: Flash["kind"], text: string, extra: Pick<Flash, "link" | "command"> = {}) {
  setCookie(c, FLASH_COOKIE, encodeURIComponent(JSON.stringify({ kind, text, ...extra })), { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 60 });
  return c.redirect(to, 303);
}

export function takeFlash(c: Context): Flash | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path: "/" });
  try {
    const parsed = flashSchema.safeParse(JSON.parse(decodeURIComponent(raw)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
