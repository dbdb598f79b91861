/**
 * /settings: site settings (applied to the running server at once), API tokens (the token is
 * shown once, stored hashed) and admin users. Viewers see everything here but change nothing.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { hashPassword, passwordSchema, usernameSchema } from "../../auth/passwords.ts";
import { DAY_MS, hashToken, MAX_EXPIRY_DAYS, newToken } from "../../auth/tokens.ts";
import { TOKEN_SCOPES, type TokenScope } from "../../store/schema.ts";
import { type SiteSettingsValues, siteSettingsSchema } from "../../settings/site-settings.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Field, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";

const tokenForm = z.object({
  name: z.string().trim().min(1, "give the token a name (who or what uses it)").max(100),
  scope: z.enum(TOKEN_SCOPES, "choose what the token may do").default("read"),
  /** Days until it expires; "" is never. */
  expiresDays: z.preprocess((v) => (v === "" || v === undefined ? null : v), z.coerce.number().int().min(1).max(MAX_EXPIRY_DAYS).nullable()),
});

const SCOPE_LABELS: Record<TokenScope, string> = {
  read: "Read: attendance, terminals, people (reports, payroll, BioTime connectors)",
  commands: "Commands: read, and queue terminal commands (open doors, fetch logs)",
  admin: "Admin: everything, backups, webhooks and credentials included",
};
const EXPIRY_CHOICES: Array<[string, string]> = [["", "Never"], ["7", "In 7 days"], ["30", "In 30 days"], ["90", "In 90 days"], ["365", "In a year"]];
const userForm = z.object({ username: usernameSchema, role: z.enum(["admin", "viewer"]), password: passwordSchema });
const userChange = z.object({
  role: z.enum(["admin", "viewer"]).optional(),
  disabled: z.enum(["true", "false"]).optional(),
  password: z.preprocess((v) => (v === "" ? undefined : v), passwordSchema.optional()),
});

const passwordReset = z.object({ id: z.coerce.number().int().positive("choose a user"), newPassword: passwordSchema });

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
              <Field label="Alert when a terminal is offline for (minutes)" name="offlineAlertMinutes" type="number" min={1} value={s.offlineAlertMinutes} required />
              <Field label="Alert when a terminal clock is off by (seconds)" name="driftAlertSeconds" type="number" min={5} value={s.driftAlertSeconds} required />
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
    const parsed = siteSettingsSchema.safeParse(await formOf(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return redirectWith(c, "/settings", "error", `${String(issue?.path[0] ?? "settings")}: ${issue?.message ?? "invalid"}`);
    }
    const before = deps.settings.values;
    const changed = Object.fromEntries(
      (Object.keys(parsed.data) as Array<keyof SiteSettingsValues>).filter((k) => parsed.data[k] !== before[k]).map((k) => [k, parsed.data[k]]),
    );
    await deps.settings.update(parsed.data, deps.now());
    await deps.store.audit({ at: deps.now(), actor: actorOf(c), action: "settings.update", target: "site", details: changed, result: "ok" });
    deps.log.info({ changed }, "site settings changed");
    return redirectWith(c, "/settings", "ok", "Settings saved. They apply now.");
  });

  app.post("/settings/backup", async (c) => {
    if (!deps.backups) return redirectWith(c, "/settings", "error", "Backups of a cluster store are taken with pg_dump.");
    const result = await deps.backups.download(actorOf(c));
    if (result.ok) return result.response;
    return redirectWith(c, "/settings", "error", result.reason === "busy" ? "A backup is already being taken: try again when it is done." : "The backup could not be taken; the server log has the details.");
  });

  app.post("/settings/tokens", async (c) => {
    const parsed = tokenForm.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, "/settings", "error", parsed.error.issues[0]?.message ?? "invalid");
    const token = newToken();
    const { name, scope, expiresDays } = parsed.data;
    const now = deps.now();
    const row = await deps.store.createToken(name, hashToken(token), now, { scope, expiresAt: expiresDays === null ? null : now + expiresDays * DAY_MS });
    await deps.store.audit({ at: now, actor: actorOf(c), action: "token.create", target: String(row.id), details: { name: row.name, scope, expiresAt: row.expiresAt }, result: "ok" });
    return render(c, { newToken: { name: row.name, token } });
  });

  app.post("/settings/tokens/:id/revoke", async (c) => {
    const id = Number(c.req.param("id"));
    const ok = Number.isInteger(id) && (await deps.store.revokeToken(id, deps.now()));
    await deps.store.audit({ at: deps.now(), actor: actorOf(c), action: "token.revoke", target: String(id), result: ok ? "ok" : "failed: no active token" });
    return redirectWith(c, "/settings", ok ? "ok" : "error", ok ? "Token revoked." : "No active token with this id.");
  });

  app.post("/settings/users", async (c) => {
    const parsed = userForm.safeParse(await formOf(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return redirectWith(c, "/settings", "error", `${String(issue?.path[0] ?? "user")}: ${issue?.message ?? "invalid"}`);
    }
    const { username, role, password } = parsed.data;
    const row = await deps.store.admin.createUser({ username, role, passwordHash: await hashPassword(password), at: deps.now() });
    await deps.store.audit({ at: deps.now(), actor: actorOf(c), action: "user.create", target: username, details: { role }, result: row ? "ok" : "failed: name taken" });
    if (!row) return redirectWith(c, "/settings", "error", `A user named ${username} already exists.`);
    return redirectWith(c, "/settings", "ok", `User ${username} added as ${role}.`);
  });

  /** Refuses changes that would leave nobody able to administer the site. */
  const keepsAnAdmin = async (id: number, next: { role?: string; disabled?: boolean; deleted?: boolean }) => {
    const user = await deps.store.admin.getUser(id);
    if (!user || user.role !== "admin" || user.disabled) return true;
    const losesAdmin = next.deleted || next.disabled === true || (next.role !== undefined && next.role !== "admin");
    return !losesAdmin || (await deps.store.admin.countActiveAdmins()) > 1;
  };

  /** Applies a change to a user: sessions end when it takes rights away or sets a password. */
  const changeUser = async (c: Context<UiEnv>, id: number, changes: { role?: "admin" | "viewer"; disabled?: boolean; passwordHash?: string }) => {
    if (!(await keepsAnAdmin(id, changes))) return redirectWith(c, "/settings", "error", "At least one enabled admin must remain.");
    const row = await deps.store.admin.updateUser(id, changes, deps.now());
    if (row && (changes.disabled || changes.passwordHash || changes.role)) await deps.store.admin.deleteSessionsOf(id);
    const { passwordHash: _secret, ...visible } = changes;
    await deps.store.audit({
      at: deps.now(), actor: actorOf(c), action: "user.update", target: row?.username ?? String(id),
      details: { ...visible, ...(changes.passwordHash ? { password: "reset" } : {}) }, result: row ? "ok" : "failed: no such user",
    });
    if (!row) return redirectWith(c, "/settings", "error", "No such user.");
    return redirectWith(c, "/settings", "ok", changes.passwordHash ? `Password of ${row.username} set; their sessions ended.` : `User ${row.username} updated.`);
  };

  /** The "Set a user's password" form: the user comes from a select, so the id is a field. */
  app.post("/settings/users/password", async (c) => {
    const parsed = passwordReset.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, "/settings", "error", `${String(parsed.error.issues[0]?.path[0] ?? "user")}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    if (parsed.data.id === c.get("user").id) return redirectWith(c, "/settings", "error", "Change your own password on your account page.");
    return changeUser(c, parsed.data.id, { passwordHash: await hashPassword(parsed.data.newPassword) });
  });

  app.post("/settings/users/:id", async (c) => {
    const id = Number(c.req.param("id"));
    const parsed = userChange.safeParse(await formOf(c));
    if (!Number.isInteger(id) || !parsed.success) return redirectWith(c, "/settings", "error", parsed.error?.issues[0]?.message ?? "invalid user");
    if (id === c.get("user").id && (parsed.data.role || parsed.data.disabled)) return redirectWith(c, "/settings", "error", "You cannot change your own role or disable yourself.");
    return changeUser(c, id, {
      ...(parsed.data.role ? { role: parsed.data.role } : {}),
      ...(parsed.data.disabled ? { disabled: parsed.data.disabled === "true" } : {}),
      ...(parsed.data.password ? { passwordHash: await hashPassword(parsed.data.password) } : {}),
    });
  });

  app.post("/settings/users/:id/delete", async (c) => {
    const id = Number(c.req.param("id"));
    if (id === c.get("user").id) return redirectWith(c, "/settings", "error", "You cannot delete yourself.");
    if (!(await keepsAnAdmin(id, { deleted: true }))) return redirectWith(c, "/settings", "error", "At least one enabled admin must remain.");
    const user = Number.isInteger(id) ? await deps.store.admin.getUser(id) : null;
    const ok = user !== null && (await deps.store.admin.deleteUser(id));
    await deps.store.audit({ at: deps.now(), actor: actorOf(c), action: "user.delete", target: user?.username ?? String(id), result: ok ? "ok" : "failed: no such user" });
    return redirectWith(c, "/settings", ok ? "ok" : "error", ok ? `User ${user?.username} deleted.` : "No such user.");
  });

  return app;
}
