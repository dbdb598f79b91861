/**
 * /settings: site settings (applied to the running server at once), notifications, the flags the
 * server started with (changed by a restart), backups, API tokens (the token is shown once, stored
 * hashed) and admin users. Viewers see everything here but change nothing. The handlers and the
 * page; the panels' views are settings-*.tsx and server-config.tsx.
 */
import { type Context, Hono } from "hono";
import { createUser, deleteUser, type UserChanges, updateUser } from "../../app/admin-users.ts";
import { notificationSettings, sendTestEmail, updateNotificationSettings } from "../../app/notifications.ts";
import { updateSiteSettings } from "../../app/settings.ts";
import { createToken, revokeToken } from "../../app/tokens.ts";
import type { SiteSettingsValues } from "../../settings/site-settings.ts";
import { pathId } from "../../lib/path-id.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { Field, RadioField } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { ServerConfigPanel } from "./server-config.tsx";
import { type NewToken, TokensPanel, UsersPanel } from "./settings-accounts.tsx";
import { NotificationsPanel, notificationForm } from "./settings-notifications.tsx";

const TIME_ZONES: string[] = Intl.supportedValuesOf("timeZone");

function SitePanel({ s, admin, csrf }: { s: SiteSettingsValues; admin: boolean; csrf: string }) {
  return (
    <section class="panel" aria-labelledby="site-h">
      <h2 id="site-h">Site</h2>
      <p class="muted">Applied at once: no restart needed.</p>
      <form method="post" action="/settings/site" class="stack form-grid">
        <CsrfField token={csrf} />
        <fieldset disabled={!admin} class="plain-fieldset">
          <Field label="Site name" name="siteName" value={s.siteName} required />
          <Field label="Time zone" name="tz" value={s.tz} list="time-zones" required hint="Terminals set their clocks from it; punch times are read in it." />
          <datalist id="time-zones">
            {TIME_ZONES.map((tz) => (
              <option value={tz} />
            ))}
          </datalist>
          <RadioField
            name="approval"
            label="New terminals"
            value={s.approval}
            options={[
              ["open", "Accept every terminal that connects"],
              ["approve", "Wait for an admin to approve each new terminal"],
            ]}
          />
          <RadioField
            name="keypadEnrolment"
            labelId="keypad-label"
            label="People enrolled on a terminal's keypad"
            value={s.keypadEnrolment}
            options={[
              ["accept", "Add them to the site (and to the other doors of a synced group)"],
              ["hold", "Hold them until an admin approves"],
              ["ignore", "Ignore them (only the terminal they were enrolled on has them)"],
            ]}
            hint="A terminal raising someone's admin level or replacing a PIN, card or template is always held for approval, whatever this says."
          />
          <Field label="Alert when a terminal is offline for (minutes)" name="offlineAlertMinutes" type="number" min={0} value={s.offlineAlertMinutes} required />
          <Field label="Alert when a terminal clock is off by (seconds)" name="driftAlertSeconds" type="number" min={5} value={s.driftAlertSeconds} required />
          <div class="field">
            <label for="f-csv-delimiter">CSV exports separate columns with</label>
            <select id="f-csv-delimiter" name="csvDelimiter">
              <option value="," selected={s.csvDelimiter === ","}>
                Comma (,)
              </option>
              <option value=";" selected={s.csvDelimiter === ";"}>
                Semicolon (;): Excel in German, French and other comma-decimal locales
              </option>
            </select>
          </div>
          {admin ? (
            <div>
              <button type="submit" class="btn btn-primary">
                Save settings
              </button>
            </div>
          ) : null}
        </fieldset>
      </form>
    </section>
  );
}

function BackupPanel({ csrf }: { csrf: string }) {
  return (
    <section class="panel" aria-labelledby="backup-h">
      <h2 id="backup-h">Backup</h2>
      <p class="muted">
        A consistent copy of the whole store (terminals, people, punches, settings), taken while terminals keep uploading: a SQLite file that{" "}
        <span class="mono">tm20 restore</span> puts back. Keep <span class="mono">secret.key</span> from the data directory with it.
      </p>
      <form method="post" action="/settings/backup" class="inline-form">
        <CsrfField token={csrf} />
        <button type="submit" class="btn btn-plain">
          Download backup
        </button>
      </form>
    </section>
  );
}

export function settingsPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  /** The page; a token just created is shown once on it (201), so not through a redirect. */
  const render = async (c: Context<UiEnv>, newToken?: NewToken) => {
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const clock = deps.settings.clock;
    const [tokens, users] = await Promise.all([deps.store.listTokens(), deps.store.admin.listUsers()]);
    return page(
      c,
      deps.settings.siteName,
      { title: "Settings", active: "settings", ...(newToken ? { flash: null } : {}) },
      <>
        <SitePanel s={deps.settings.values} admin={admin} csrf={csrf} />
        <NotificationsPanel view={notificationSettings(deps)} admin={admin} csrf={csrf} />
        {admin && deps.config ? <ServerConfigPanel lines={deps.config} /> : null}
        {admin && deps.backups ? <BackupPanel csrf={csrf} /> : null}
        <TokensPanel tokens={tokens} newToken={newToken} clock={clock} now={deps.now()} csrf={admin ? csrf : null} />
        <UsersPanel users={users} me={c.get("user").id} clock={clock} csrf={admin ? csrf : null} />
      </>,
      newToken ? 201 : 200,
    );
  };

  app.get("/settings", (c) => render(c));

  app.use("/settings/*", requireAdmin());

  app.post("/settings/site", async (c) => {
    await updateSiteSettings(deps, actorOf(c), await formOf(c));
    return redirectWith(c, "/settings", "ok", "Settings saved. They apply now.");
  });

  app.post("/settings/notifications", async (c) => {
    await updateNotificationSettings(deps, actorOf(c), notificationForm(await formOf(c)));
    return redirectWith(c, "/settings", "ok", "Notification settings saved.");
  });

  app.post("/settings/notifications/test", async (c) => {
    const { to } = await sendTestEmail(deps, actorOf(c));
    return redirectWith(c, "/settings", "ok", `Test e-mail sent to ${to.join(", ")}.`);
  });

  app.post("/settings/tokens", async (c) => {
    const form = await formOf(c);
    const { row, token } = await createToken(deps, actorOf(c), {
      name: form.name ?? "",
      scope: form.scope || "read",
      expiresDays: form.expiresDays ? Number(form.expiresDays) : null,
    });
    return render(c, { name: row.name, token });
  });

  app.post("/settings/tokens/:id/revoke", async (c) => {
    await revokeToken(deps, actorOf(c), pathId(c.req.param("id"), "token"));
    return redirectWith(c, "/settings", "ok", "Token revoked.");
  });

  app.post("/settings/users", async (c) => {
    const form = await formOf(c);
    const row = await createUser(deps, actorOf(c), { username: form.username ?? "", role: form.role ?? "", password: form.password ?? "" });
    return redirectWith(c, "/settings", "ok", `User ${row.username} added as ${row.role}.`);
  });

  const changeUser = async (c: Context<UiEnv>, id: number, changes: UserChanges) => {
    const row = await updateUser(deps, actorOf(c), id, changes);
    return redirectWith(c, "/settings", "ok", changes.password ? `Password of ${row.username} set; their sessions ended.` : `User ${row.username} updated.`);
  };

  /** The "Set a user's password" form: the user comes from a select, so the id is a field. */
  app.post("/settings/users/password", async (c) => {
    const form = await formOf(c);
    return changeUser(c, Number(form.id), { password: form.newPassword ?? "" });
  });

  app.post("/settings/users/:id", async (c) => {
    const form = await formOf(c);
    return changeUser(c, pathId(c.req.param("id"), "user"), {
      ...(form.role === "admin" || form.role === "viewer" ? { role: form.role } : {}),
      ...(form.disabled ? { disabled: form.disabled === "true" } : {}),
      ...(form.password ? { password: form.password } : {}),
    });
  });

  app.post("/settings/users/:id/delete", async (c) => {
    const user = await deleteUser(deps, actorOf(c), pathId(c.req.param("id"), "user"));
    return redirectWith(c, "/settings", "ok", `User ${user.username} deleted.`);
  });

  return app;
}
