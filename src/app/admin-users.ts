/**
 * Admin UI users: added, changed (role, disabled, password), deleted, and a user's own password.
 * At least one enabled admin always remains; a user cannot demote, disable or delete themselves.
 */
import { z } from "zod";
import { hashPassword, passwordSchema, usernameSchema, verifyPassword } from "../auth/passwords.ts";
import { AppError, notFound } from "../lib/app-error.ts";
import type { AdminRole, AdminUserChanges } from "../store/admin-contract.ts";
import type { Store } from "../store/contract.ts";
import type { AdminUserRow } from "../store/schema.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

export interface AdminUserDeps {
  store: Store;
  now: () => number;
}

const role = z.enum(["admin", "viewer"]);
const newUser = z.object({ username: usernameSchema, role, password: passwordSchema });
const userChanges = z.object({ role: role.optional(), disabled: z.boolean().optional(), password: passwordSchema.optional() });

/** As typed in a form or on the command line: checked here. */
export type NewUser = { username: string; role: string; password: string };
export type UserChanges = z.input<typeof userChanges>;

export async function createUser(deps: AdminUserDeps, actor: Actor, input: NewUser): Promise<AdminUserRow> {
  const { username, role, password } = validInput(newUser, input);
  const row = await deps.store.admin.createUser({ username, role, passwordHash: await hashPassword(password), at: deps.now() });
  if (!row) throw new AppError(409, "exists", `a user named ${username} already exists`);
  await audit(deps, actor, "user.create", username, { role });
  return row;
}

/** The user by id (the UI's forms) or by name (the CLI). */
async function userOf(deps: AdminUserDeps, user: number | string): Promise<AdminUserRow> {
  const row = typeof user === "number" ? await deps.store.admin.getUser(user) : await deps.store.admin.userByName(user);
  if (!row) throw notFound(typeof user === "number" ? "no such user" : `no user named ${user}`);
  return row;
}

const isSelf = (actor: Actor, user: AdminUserRow) => actor.kind === "user" && actor.name === user.username;

/** Refuses a change that would leave nobody able to administer the site. */
async function keepAnAdmin(deps: AdminUserDeps, user: AdminUserRow, next: { role?: AdminRole; disabled?: boolean; deleted?: boolean }) {
  if (user.role !== "admin" || user.disabled) return;
  const losesAdmin = next.deleted || next.disabled === true || (next.role !== undefined && next.role !== "admin");
  if (losesAdmin && (await deps.store.admin.countActiveAdmins()) <= 1) throw new AppError(409, "last_admin", "at least one enabled admin must remain");
}

/** Applies a change to another user; their sessions end when it takes rights away or sets a password. */
export async function updateUser(deps: AdminUserDeps, actor: Actor, user: number | string, input: UserChanges): Promise<AdminUserRow> {
  const changes = validInput(userChanges, input);
  const row = await userOf(deps, user);
  if (isSelf(actor, row)) {
    throw new AppError(403, "forbidden", changes.password ? "change your own password on your account page" : "you cannot change your own role or disable yourself");
  }
  await keepAnAdmin(deps, row, changes);
  const stored: AdminUserChanges = {
    ...(changes.role ? { role: changes.role } : {}),
    ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
    ...(changes.password ? { passwordHash: await hashPassword(changes.password) } : {}),
  };
  const updated = await deps.store.admin.updateUser(row.id, stored, deps.now());
  if (!updated) throw notFound("no such user");
  if (stored.disabled || stored.passwordHash || stored.role) await deps.store.admin.deleteSessionsOf(row.id);
  const { password: _secret, ...visible } = changes;
  await audit(deps, actor, "user.update", row.username, { ...visible, ...(changes.password ? { password: "reset" } : {}) });
  return updated;
}

export async function deleteUser(deps: AdminUserDeps, actor: Actor, id: number): Promise<AdminUserRow> {
  const row = await userOf(deps, id);
  if (isSelf(actor, row)) throw new AppError(403, "forbidden", "you cannot delete yourself");
  await keepAnAdmin(deps, row, { deleted: true });
  if (!(await deps.store.admin.deleteUser(row.id))) throw notFound("no such user");
  await audit(deps, actor, "user.delete", row.username);
  return row;
}

/**
 * A user changes their own password (knowing the current one); their other sessions end. A
 * wrong current password is audited: it may be someone at an unattended browser.
 */
export async function changeOwnPassword(
  deps: AdminUserDeps,
  actor: Actor,
  user: AdminUserRow,
  passwords: { current: string; next: string; keepSession: string },
): Promise<void> {
  if (!(await verifyPassword(passwords.current, user.passwordHash))) {
    await audit(deps, actor, "password.change", user.username, undefined, "failed: wrong current password");
    throw new AppError(400, "wrong_password", "the current password is wrong");
  }
  await deps.store.admin.updateUser(user.id, { passwordHash: await hashPassword(validInput(passwordSchema, passwords.next)) }, deps.now());
  await deps.store.admin.deleteSessionsOf(user.id, passwords.keepSession);
  await audit(deps, actor, "password.change", user.username);
}
