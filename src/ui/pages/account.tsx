/** /account: the logged-in user changes their own password (viewers too: it changes nothing on the site). */
import { Hono } from "hono";
import { z } from "zod";
import { changeOwnPassword } from "../../app/admin-users.ts";
import { passwordSchema } from "../../auth/passwords.ts";
import { describeInput, labelled } from "../../lib/input-problem.ts";
import { actorOf, formOf } from "../auth-guard.ts";
import { Field } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { sentence } from "../errors.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";

const passwordForm = z
  .object({ current: z.string().min(1, "enter your current password").max(200), password: passwordSchema, confirm: z.string() })
  .refine((f) => f.password === f.confirm, { path: ["confirm"], message: "the two new passwords differ" });

const PASSWORD_LABELS = labelled({ current: "Current password", password: "New password", confirm: "Repeat the new password" });

export function accountPage(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.get("/account", (c) => {
    const user = c.get("user");
    return page(
      c,
      deps.settings.siteName,
      { title: "Your account", active: "account" },
      <section class="panel narrow">
        <h2>Change password</h2>
        <p class="muted">
          Logged in as <strong>{user.username}</strong> ({user.role}). Changing the password logs out your other sessions.
        </p>
        <form method="post" action="/account/password" class="stack">
          <CsrfField token={c.get("session").csrfToken} />
          <Field label="Current password" name="current" type="password" required autocomplete="current-password" />
          <Field label="New password" name="password" type="password" required autocomplete="new-password" hint="At least 10 characters." />
          <Field label="Repeat the new password" name="confirm" type="password" required autocomplete="new-password" />
          <div>
            <button type="submit" class="btn btn-primary">
              Change password
            </button>
          </div>
        </form>
      </section>,
    );
  });

  app.post("/account/password", async (c) => {
    const user = c.get("user");
    const parsed = passwordForm.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, "/account", "error", sentence(describeInput(parsed.error, PASSWORD_LABELS)));
    await changeOwnPassword(deps, actorOf(c), user, { current: parsed.data.current, next: parsed.data.password, keepSession: c.get("session").tokenHash });
    return redirectWith(c, "/account", "ok", "Password changed.");
  });
  return app;
}
