/**
 * /settings: site settings (applied to the running server at once), the flags the server started
 * with (changed by a restart), API tokens (the token is shown once, stored hashed) and admin users. Viewers see everything here but change nothing.
 */
import { type Context, Hono } from "hono";
import { createUser, deleteUser, type UserChanges, updateUser } from "../../app/admin-users.ts";
import { notificationSettings, sendTestEmail, updateNotificationSettings } from "../../app/notifications.ts";
import { updateSiteSettings } from "../../app/settings.ts";
import { ALERT_KINDS, type AlertKind } from "../../alerts/model.ts";
import type { NotificationView } from "../../alerts/notify-settings.ts";
import { createToken, revokeToken } from "../../app/tokens.ts";
import { TOKEN_SCOPES, type TokenScope } from "../../store/schema.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Field, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { ServerConfigPanel } from "./server-config.tsx";

const SCOPE_LABELS: Record<TokenScope, string> = {
  read: "Read: attendance, terminals, people (reports, payroll, BioTime connectors)",
  commands: "Commands: read, and queue terminal commands (open doors, fetch logs)",
  admin: "Admin: everything, backups, webhooks and credentials included",
};
const EXPIRY_CHOICES: Array<[string, string]> = [["", "Never"], ["7", "In 7 days"], ["30", "In 30 days"], ["90", "In 90 days"], ["365", "In a year"]];

const TIME_ZONES: string[] = Intl.supportedValuesOf("timeZone");

export function settingsPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  const render = async (c: Context<UiEnv>, extra: { newToken?: { name: string; token: string } } = {}) => {
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const clock = deps.settings.clock;
    const s = deps.settings.values;
    const [tokens, users] = await Promise.all([deps.store.listTokens(), deps.store.admin.listUsers()]);
    const me = c.get("user").id;
    return page(
      c,
      deps.settings.siteName,
      { title: "Settings", active: "settings", ...(extra.newToken ? { flash: null } : {}) },
      <>
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
              <div class="field">
                <span class="label" id="approval-label">
                  New terminals
                </span>
                <div class="radios" role="radiogroup" aria-labelledby="approval-label">
                  <label>
                    <input type="radio" name="approval" value="open" checked={s.approval === "open"} /> Accept every terminal that connects
                  </label>
                  <label>
                    <input type="radio" name="approval" value="approve" checked={s.approval === "approve"} /> Wait for an admin to approve each new terminal
                  </label>
                </div>
              </div>
              <div class="field">
                <span class="label" id="keypad-label">
                  People enrolled on a terminal's keypad
                </span>
                <div class="radios" role="radiogroup" aria-labelledby="keypad-label">
                  <label>
                    <input type="radio" name="keypadEnrolment" value="accept" checked={s.keypadEnrolment === "accept"} /> Add them to the site (and to the
                    other doors of a synced group)
                  </label>
                  <label>
                    <input type="radio" name="keypadEnrolment" value="hold" checked={s.keypadEnrolment === "hold"} /> Hold them until an admin approves
                  </label>
                  <label>
                    <input type="radio" name="keypadEnrolment" value="ignore" checked={s.keypadEnrolment === "ignore"} /> Ignore them (only the terminal
                    they were enrolled on has them)
                  </label>
                </div>
                <p class="hint">
                  A terminal raising someone's admin level or replacing a PIN, card or template is always held for approval, whatever this says.
                </p>
              </div>
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

        <NotificationsPanel view={notificationSettings(deps)} admin={admin} csrf={csrf} />

        {admin && deps.config ? <ServerConfigPanel lines={deps.config} /> : null}

        {admin && deps.backups ? (
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
        ) : null}

        <section class="panel" aria-labelledby="tokens-h">
          <h2 id="tokens-h">API tokens</h2>
          <p class="muted">
            For payroll and HR systems: send as <span class="mono">Authorization: Bearer &lt;token&gt;</span> to /api/v1. Give each system the
            least scope it needs.
          </p>
          {extra.newToken ? (
            <div class="token-once" role="status">
              <p>
                Token <strong>{extra.newToken.name}</strong> created. Copy it now: it is not shown again.
              </p>
              <input class="mono token-value" readonly value={extra.newToken.token} aria-label="New API token" data-select-on-focus="" />
            </div>
          ) : null}
          {tokens.length === 0 ? (
            <EmptyState title="No API tokens" />
          ) : (
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scope</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    {admin ? <th scope="col"><span class="sr-only">Actions</span></th> : null}
                  </tr>
                </thead>
                <tbody>
                  {tokens.map((t) => (
                    <tr>
                      <td>{t.name}</td>
                      <td>{t.scope}</td>
                      <td>
                        {t.revokedAt ? (
                          <Badge tone="muted">Revoked</Badge>
                        ) : t.expiresAt !== null && t.expiresAt <= deps.now() ? (
                          <Badge tone="muted">Expired</Badge>
                        ) : (
                          <Badge tone="ok">Active</Badge>
                        )}
                      </td>
                      <td class="nowrap">{siteTime(clock, t.createdAt)}</td>
                      <td class="nowrap">{t.expiresAt === null ? "never" : siteTime(clock, t.expiresAt)}</td>
                      <td class="nowrap">{t.lastUsedAt ? siteTime(clock, t.lastUsedAt) : "never"}</td>
                      {admin ? (
                        <td class="row-actions">
                          {t.revokedAt ? null : (
                            <ActionButton action={`/settings/tokens/${t.id}/revoke`} csrf={csrf} label="Revoke" tone="danger" confirm={`Revoke the token "${t.name}"? Systems using it lose access at once.`} />
                          )}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {admin ? (
            <form method="post" action="/settings/tokens" class="inline-fields">
              <CsrfField token={csrf} />
              <Field label="New token name" name="name" required placeholder="payroll export" />
              <div class="field">
                <label for="f-scope">May</label>
                <select id="f-scope" name="scope">
                  {TOKEN_SCOPES.map((scope) => (
                    <option value={scope} selected={scope === "read"}>
                      {SCOPE_LABELS[scope]}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="f-expiresDays">Expires</label>
                <select id="f-expiresDays" name="expiresDays">
                  {EXPIRY_CHOICES.map(([value, label]) => (
                    <option value={value}>{label}</option>
                  ))}
                </select>
              </div>
              <button type="submit" class="btn btn-primary">
                Create token
              </button>
            </form>
          ) : null}
        </section>

        <section class="panel" aria-labelledby="users-h">
          <h2 id="users-h">Admin users</h2>
          <p class="muted">Admins can change everything; viewers can look at everything and change nothing.</p>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col">Last login</th>
                  {admin ? <th scope="col"><span class="sr-only">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr data-user={u.username}>
                    <td>
                      {u.username}
                      {u.id === me ? <span class="muted"> (you)</span> : null}
                    </td>
                    <td>{u.role}</td>
                    <td>{u.disabled ? <Badge tone="muted">Disabled</Badge> : <Badge tone="ok">Active</Badge>}</td>
                    <td class="nowrap">{u.lastLoginAt ? siteTime(clock, u.lastLoginAt) : "never"}</td>
                    {admin ? (
                      <td class="row-actions">
                        {u.id === me ? null : (
                          <>
                            <ActionButton action={`/settings/users/${u.id}`} csrf={csrf} label={u.role === "admin" ? "Make viewer" : "Make admin"} fields={{ role: u.role === "admin" ? "viewer" : "admin" }} />
                            <ActionButton action={`/settings/users/${u.id}`} csrf={csrf} label={u.disabled ? "Enable" : "Disable"} fields={{ disabled: u.disabled ? "false" : "true" }} />
                            <ActionButton action={`/settings/users/${u.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the user ${u.username}?`} />
                          </>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {admin ? (
            <form method="post" action="/settings/users" class="inline-fields" aria-label="Add a user">
              <CsrfField token={csrf} />
              <Field label="User name" name="username" required autocomplete="off" />
              <div class="field">
                <label for="f-role">Role</label>
                <select id="f-role" name="role">
                  <option value="viewer">Viewer</option>
                  <option value="admin">Admin</option>
                </select>
              </div>
              <Field label="Password" name="password" type="password" required autocomplete="new-password" hint="At least 10 characters." />
              <button type="submit" class="btn btn-primary">
                Add user
              </button>
            </form>
          ) : null}
          {admin && users.some((u) => u.id !== me) ? (
            <form method="post" action="/settings/users/password" class="inline-fields" aria-label="Set a user's password">
              <CsrfField token={csrf} />
              <div class="field">
                <label for="f-reset-user">Set the password of</label>
                <select id="f-reset-user" name="id">
                  {users
                    .filter((u) => u.id !== me)
                    .map((u) => (
                      <option value={String(u.id)}>{u.username}</option>
                    ))}
                </select>
              </div>
              <Field label="New password" name="newPassword" type="password" required autocomplete="new-password" hint="At least 10 characters; their sessions end." />
              <button type="submit" class="btn btn-plain">
                Set password
              </button>
            </form>
          ) : null}
        </section>
      </>,
      extra.newToken ? 201 : 200,
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

  app.post("/settings/backup", async (c) => {
    if (!deps.backups) return redirectWith(c, "/settings", "error", "Backups of a cluster store are taken with pg_dump.");
    return deps.backups.download(actorOf(c));
  });

  app.post("/settings/tokens", async (c) => {
    const form = await formOf(c);
    const { row, token } = await createToken(deps, actorOf(c), {
      name: form.name ?? "",
      scope: form.scope || "read",
      expiresDays: form.expiresDays ? Number(form.expiresDays) : null,
    });
    return render(c, { newToken: { name: row.name, token } });
  });

  app.post("/settings/tokens/:id/revoke", async (c) => {
    await revokeToken(deps, actorOf(c), Number(c.req.param("id")));
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
    return changeUser(c, Number(c.req.param("id")), {
      ...(form.role === "admin" || form.role === "viewer" ? { role: form.role } : {}),
      ...(form.disabled ? { disabled: form.disabled === "true" } : {}),
      ...(form.password ? { password: form.password } : {}),
    });
  });

  app.post("/settings/users/:id/delete", async (c) => {
    const user = await deleteUser(deps, actorOf(c), Number(c.req.param("id")));
    return redirectWith(c, "/settings", "ok", `User ${user.username} deleted.`);
  });

  return app;
}

const KIND_LABELS: Record<AlertKind, string> = {
  store_failing: "Store failing (uploads refused)",
  terminal_offline: "Terminal offline",
  terminal_pending: "Terminal waiting for approval",
  hardware_mismatch: "Terminal hardware differs from the approved one",
  held_changes: "Changes from terminals waiting for approval",
  clock_drift: "Terminal clock off",
  storage_nearly_full: "Terminal nearly full",
  webhook_failing: "Webhook failing",
  export_lagging: "PostgreSQL export failing",
  door_forced_open: "Door forced open",
  refused_punches: "Burst of refused punches at a door",
  door_held_open: "Door held open",
  tamper: "Tamper alarm",
  input_alarm: "Input alarm",
  quarantine_spike: "Quarantine spike",
  access_not_fit: "Access rules do not fit a terminal",
};

/** The form's fields as the use case's input (checkboxes are "on" when ticked; recipients comma- or line-separated). */
function notificationForm(f: Record<string, string>): unknown {
  const on = (name: string) => f[name] === "on";
  return {
    kinds: ALERT_KINDS.filter((k) => on(`kind_${k}`)),
    quietSeconds: f.quietSeconds ?? "",
    notifyResolved: on("notifyResolved"),
    dailyDigestAt: (f.dailyDigestAt ?? "").trim(),
    linkBase: (f.linkBase ?? "").trim(),
    email: {
      enabled: on("emailEnabled"),
      host: f.smtpHost ?? "",
      port: f.smtpPort ?? "",
      security: f.smtpSecurity ?? "",
      username: f.smtpUsername ?? "",
      // Empty keeps the saved password; the box removes it.
      ...(on("smtpPasswordRemove") ? { password: "" } : f.smtpPassword ? { password: f.smtpPassword } : {}),
      from: (f.smtpFrom ?? "").trim(),
      to: (f.smtpTo ?? "").split(/[,;\s]+/).filter((a) => a !== ""),
    },
    webhook: { enabled: on("webhookEnabled") },
  };
}

function NotificationsPanel({ view: v, admin, csrf }: { view: NotificationView; admin: boolean; csrf: string }) {
  return (
    <section class="panel" aria-labelledby="notifications-h">
      <h2 id="notifications-h">Notifications</h2>
      <p class="muted">
        Alerts (the dashboard's list) reach people who are not looking: by e-mail, and as an <span class="mono">alert</span> event to the webhook
        destinations that send "Alerts". Several alerts due together go out as one message.
      </p>
      <form method="post" action="/settings/notifications" class="stack form-grid">
        <CsrfField token={csrf} />
        <fieldset disabled={!admin} class="plain-fieldset">
          <fieldset class="plain-fieldset">
            <legend class="label">Alerts that notify</legend>
            <div class="checks">
              {ALERT_KINDS.map((k) => (
                <label>
                  <input type="checkbox" name={`kind_${k}`} checked={v.kinds.includes(k)} /> {KIND_LABELS[k]}
                </label>
              ))}
            </div>
          </fieldset>
          <Field label="Quiet period (seconds)" name="quietSeconds" type="number" min={0} max={86400} value={v.quietSeconds} required hint="An alert must last this long before anyone is told, and be gone this long to be told resolved: a flapping one stays quiet." />
          <div class="field field-check">
            <input type="checkbox" id="f-notifyResolved" name="notifyResolved" checked={v.notifyResolved} />
            <label for="f-notifyResolved">Also tell when an alert has ended</label>
          </div>
          <Field label="Daily digest at (site time, HH:MM)" name="dailyDigestAt" type="time" value={v.dailyDigestAt} hint="Empty: no daily digest. Otherwise one message a day listing every current alert." />
          <Field label="Admin UI address for links" name="linkBase" type="url" value={v.linkBase} placeholder="https://tm20.example.com" hint="Links in messages start with it; empty: paths only." />
          <div class="field field-check">
            <input type="checkbox" id="f-emailEnabled" name="emailEnabled" checked={v.email.enabled} />
            <label for="f-emailEnabled">Send e-mail</label>
          </div>
          <Field label="SMTP server" name="smtpHost" value={v.email.host} placeholder="smtp.example.com" />
          <Field label="SMTP port" name="smtpPort" type="number" min={1} max={65535} value={v.email.port} required />
          <div class="field">
            <label for="f-smtpSecurity">Encryption</label>
            <select id="f-smtpSecurity" name="smtpSecurity">
              <option value="starttls" selected={v.email.security === "starttls"}>
                STARTTLS, required (port 587)
              </option>
              <option value="tls" selected={v.email.security === "tls"}>
                TLS from the start (port 465)
              </option>
              <option value="none" selected={v.email.security === "none"}>
                None (a relay on the local network)
              </option>
            </select>
          </div>
          <Field label="SMTP user name" name="smtpUsername" value={v.email.username} autocomplete="off" hint="Empty: no login." />
          <Field label="SMTP password" name="smtpPassword" type="password" autocomplete="new-password" hint={v.email.passwordSet ? "A password is stored: leave empty to keep it." : "Stored encrypted; never shown back."} />
          {v.email.passwordSet ? (
            <div class="field field-check">
              <input type="checkbox" id="f-smtpPasswordRemove" name="smtpPasswordRemove" />
              <label for="f-smtpPasswordRemove">Remove the stored password</label>
            </div>
          ) : null}
          <Field label="From" name="smtpFrom" type="email" value={v.email.from} placeholder="tm20@example.com" />
          <Field label="To (comma-separated)" name="smtpTo" value={v.email.to.join(", ")} placeholder="it@example.com, facilities@example.com" />
          <div class="field field-check">
            <input type="checkbox" id="f-webhookEnabled" name="webhookEnabled" checked={v.webhook.enabled} />
            <label for="f-webhookEnabled">Send alert events to webhooks (Integrations → a destination sending "Alerts")</label>
          </div>
          {admin ? (
            <div>
              <button type="submit" class="btn btn-primary">
                Save notifications
              </button>
            </div>
          ) : null}
        </fieldset>
      </form>
      {admin ? (
        <form method="post" action="/settings/notifications/test" class="inline-form">
          <CsrfField token={csrf} />
          <button type="submit" class="btn btn-plain">
            Send test e-mail
          </button>
        </form>
      ) : null}
    </section>
  );
}
