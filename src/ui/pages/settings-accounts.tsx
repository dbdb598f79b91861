/**
 * Settings → API tokens and Admin users: who may use the server, as a system or as a person. The
 * views only; their forms post to settings.tsx, which calls the use cases (app/tokens.ts,
 * app/admin-users.ts).
 */
import type { SiteClock } from "../../protocol/index.ts";
import { type AdminUserRow, type ApiTokenRow, TOKEN_SCOPES, type TokenScope } from "../../store/schema.ts";
import { ActionButton, Badge, EmptyState, Field, siteTime } from "../components.tsx";
import { CsrfField } from "../layout.tsx";
import { Table } from "../table.tsx";

const SCOPE_LABELS: Record<TokenScope, string> = {
  read: "Read: attendance, terminals, people (reports, payroll, BioTime connectors)",
  commands: "Commands: read, and queue terminal commands (open doors, fetch logs)",
  admin: "Admin: everything, backups, webhooks and credentials included",
};
const EXPIRY_CHOICES: Array<[string, string]> = [["", "Never"], ["7", "In 7 days"], ["30", "In 30 days"], ["90", "In 90 days"], ["365", "In a year"]];

/** The token just created, shown once: it is stored hashed. */
export type NewToken = { name: string; token: string };

function TokenState({ t, now }: { t: ApiTokenRow; now: number }) {
  if (t.revokedAt) return <Badge tone="muted">Revoked</Badge>;
  if (t.expiresAt !== null && t.expiresAt <= now) return <Badge tone="muted">Expired</Badge>;
  return <Badge tone="ok">Active</Badge>;
}

function NewTokenForm({ csrf }: { csrf: string }) {
  return (
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
  );
}

export function TokensPanel(props: { tokens: readonly ApiTokenRow[]; newToken: NewToken | undefined; clock: SiteClock; now: number; csrf: string | null }) {
  const { clock, csrf, newToken } = props;
  return (
    <section class="panel" aria-labelledby="tokens-h">
      <h2 id="tokens-h">API tokens</h2>
      <p class="muted">
        For payroll and HR systems: send as <span class="mono">Authorization: Bearer &lt;token&gt;</span> to /api/v1. Give each system the
        least scope it needs.
      </p>
      {newToken ? (
        <div class="token-once" role="status">
          <p>
            Token <strong>{newToken.name}</strong> created. Copy it now: it is not shown again.
          </p>
          <input class="mono token-value" readonly value={newToken.token} aria-label="New API token" data-select-on-focus="" />
        </div>
      ) : null}
      <Table
        rows={props.tokens}
        empty={<EmptyState title="No API tokens" />}
        columns={[
          { head: "Name", cell: (t) => t.name },
          { head: "Scope", cell: (t) => t.scope },
          { head: "State", cell: (t) => <TokenState t={t} now={props.now} /> },
          { head: "Created", class: "nowrap", cell: (t) => siteTime(clock, t.createdAt) },
          { head: "Expires", class: "nowrap", cell: (t) => (t.expiresAt === null ? "never" : siteTime(clock, t.expiresAt)) },
          { head: "Last used", class: "nowrap", cell: (t) => (t.lastUsedAt ? siteTime(clock, t.lastUsedAt) : "never") },
          csrf !== null && {
            head: <span class="sr-only">Actions</span>,
            class: "row-actions",
            cell: (t) =>
              t.revokedAt ? null : (
                <ActionButton action={`/settings/tokens/${t.id}/revoke`} csrf={csrf} label="Revoke" tone="danger" confirm={`Revoke the token "${t.name}"? Systems using it lose access at once.`} />
              ),
          },
        ]}
      />
      {csrf !== null ? <NewTokenForm csrf={csrf} /> : null}
    </section>
  );
}

function UserActions({ u, csrf }: { u: AdminUserRow; csrf: string }) {
  return (
    <>
      <ActionButton action={`/settings/users/${u.id}`} csrf={csrf} label={u.role === "admin" ? "Make viewer" : "Make admin"} fields={{ role: u.role === "admin" ? "viewer" : "admin" }} />
      <ActionButton action={`/settings/users/${u.id}`} csrf={csrf} label={u.disabled ? "Enable" : "Disable"} fields={{ disabled: u.disabled ? "false" : "true" }} />
      <ActionButton action={`/settings/users/${u.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the user ${u.username}?`} />
    </>
  );
}

function UserForms({ others, csrf }: { others: readonly AdminUserRow[]; csrf: string }) {
  return (
    <>
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
      {others.length > 0 ? (
        <form method="post" action="/settings/users/password" class="inline-fields" aria-label="Set a user's password">
          <CsrfField token={csrf} />
          <div class="field">
            <label for="f-reset-user">Set the password of</label>
            <select id="f-reset-user" name="id">
              {others.map((u) => (
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
    </>
  );
}

/** The users; the viewer's own row (`me`) has no actions, so nobody demotes, disables or deletes themselves by a click. */
export function UsersPanel(props: { users: readonly AdminUserRow[]; me: number; clock: SiteClock; csrf: string | null }) {
  const { me, csrf } = props;
  return (
    <section class="panel" aria-labelledby="users-h">
      <h2 id="users-h">Admin users</h2>
      <p class="muted">Admins can change everything; viewers can look at everything and change nothing.</p>
      <Table
        rows={props.users}
        row={(u) => ({ "data-user": u.username })}
        columns={[
          {
            head: "User",
            cell: (u) => (
              <>
                {u.username}
                {u.id === me ? <span class="muted"> (you)</span> : null}
              </>
            ),
          },
          { head: "Role", cell: (u) => u.role },
          { head: "State", cell: (u) => (u.disabled ? <Badge tone="muted">Disabled</Badge> : <Badge tone="ok">Active</Badge>) },
          { head: "Last login", class: "nowrap", cell: (u) => (u.lastLoginAt ? siteTime(props.clock, u.lastLoginAt) : "never") },
          csrf !== null && { head: <span class="sr-only">Actions</span>, class: "row-actions", cell: (u) => (u.id === me ? null : <UserActions u={u} csrf={csrf} />) },
        ]}
      />
      {csrf !== null ? <UserForms others={props.users.filter((u) => u.id !== me)} csrf={csrf} /> : null}
    </section>
  );
}
