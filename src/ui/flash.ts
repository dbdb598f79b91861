/** One-shot messages across a redirect (post, redirect, get): a short-lived cookie read once. */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";

const FLASH_COOKIE = "tm20_flash";

/** A link after the text goes to a page of this UI only (a path), never elsewhere. */
const flashLink = z.object({ href: z.string().regex(/^\/(?!\/)/).max(200), text: z.string().max(100) });
/** A command the message is about, followed live under it (src/ui/live-progress.tsx). */
const flashCommand = z.object({ id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), label: z.string().max(100) });
/** A refused form's fields as they were typed, put back by web/islands/refill.ts (form at `action`). */
const flashForm = z.object({
  action: z.string().regex(/^\/(?!\/)/).max(300),
  values: z.record(z.string().max(100), z.union([z.string().max(500), z.array(z.string().max(500)).max(100)])),
});
const flashSchema = z.object({ kind: z.enum(["ok", "error"]), text: z.string().max(500), link: flashLink.optional(), command: flashCommand.optional(), form: flashForm.optional() });
export type Flash = z.infer<typeof flashSchema>;

export function redirectWith(c: Context, to: string, kind: Flash["kind"], text: string, extra: Pick<Flash, "link" | "command"> = {}) {
  setCookie(c, FLASH_COOKIE, encodeURIComponent(JSON.stringify({ kind, text, ...extra })), { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 60 });
  return c.redirect(to, 303);
}

/** Fields never carried back: the CSRF token, and anything secret (a browser's password fields are left alone too). */
const NOT_KEPT = /^_csrf$|pass|secret|token|auth_value|api_key|card|pin/i;
/** Past this the cookie could pass browsers' 4 KB; the form then comes back empty as before. */
const MAX_COOKIE = 3500;

/**
 * A form refused with an error flash (by its route or by a use case's AppError) comes back with what
 * was typed: the flash carries the fields, the page's refill script puts them back. Plain forms only
 * (an upload is not typed text).
 */
export async function keepRefusedForm(c: Context, next: () => Promise<void>) {
  await next();
  if (c.req.method !== "POST" || c.res.status !== 303) return;
  if (!(c.req.header("content-type") ?? "").includes("application/x-www-form-urlencoded")) return;
  const cookies = c.res.headers.getSetCookie();
  const raw = cookies.find((k) => k.startsWith(`${FLASH_COOKIE}=`));
  if (!raw) return;
  let flash: Flash;
  try {
    const parsed = flashSchema.safeParse(JSON.parse(decodeURIComponent(decodeURIComponent(raw.slice(FLASH_COOKIE.length + 1).split(";")[0] ?? ""))));
    if (!parsed.success || parsed.data.kind !== "error" || parsed.data.form) return;
    flash = parsed.data;
  } catch {
    return;
  }
  const values: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(await c.req.parseBody({ all: true }))) {
    if (NOT_KEPT.test(k) || k.length > 100) continue;
    const list = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string").map((x) => x.slice(0, 500));
    if (list.length > 0) values[k] = Array.isArray(v) ? list.slice(0, 100) : (list[0] ?? "");
  }
  const value = encodeURIComponent(JSON.stringify({ ...flash, form: { action: c.req.path, values } }));
  if (value.length > MAX_COOKIE) return;
  c.header("set-cookie", undefined);
  for (const k of cookies) if (k !== raw) c.header("set-cookie", k, { append: true });
  setCookie(c, FLASH_COOKIE, value, { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 60 });
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
