import { CLI } from "../app/actor.ts";
import { createToken, revokeToken } from "../app/tokens.ts";
import { isTokenScope, MAX_EXPIRY_DAYS } from "../auth/tokens.ts";
import { TOKEN_SCOPES } from "../store/schema.ts";
import { openStore } from "../store/open.ts";
import { parseArgs, UsageError } from "./args.ts";
import { STORE_FIELDS, serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";

export const tokenHelp = `tm20 token create --name NAME [--scope read|commands|admin] [--expires-days N]
                                 create an API token; the token is the last line printed (shown once).
                                 --scope: read (reports), commands (also queue commands), admin (default:
                                 everything, backups, webhooks and credentials included); no expiry unless given
tm20 token list                  list tokens (never the tokens themselves)
tm20 token revoke ID             revoke a token

${serveFlagsHelp(STORE_FIELDS)}`;

export async function tokenCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: ["--name", "--scope", "--expires-days"] }));
  const [action, ...rest] = positionals;
  const store = await openStore(storeConfigFromFlags(flags));
  try {
    if (action === "create") {
      const name = flags.get("--name")?.trim();
      if (!name) throw new UsageError("--name: a token needs a name (who or what uses it)");
      const scope = flags.get("--scope") ?? "admin";
      if (!isTokenScope(scope)) throw new UsageError(`--scope: one of ${TOKEN_SCOPES.join(", ")}`);
      const days = flags.get("--expires-days");
      const expiresDays = days === undefined ? null : Number(days);
      if (expiresDays !== null && !(Number.isInteger(expiresDays) && expiresDays >= 1 && expiresDays <= MAX_EXPIRY_DAYS)) {
        throw new UsageError(`--expires-days: a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`);
      }
      const { row, token } = await createToken({ store, now: Date.now }, CLI, { name, scope, expiresDays });
      const expiry = row.expiresAt === null ? "no expiry" : `expires ${new Date(row.expiresAt).toISOString()}`;
      console.log(`Created API token ${row.id} "${row.name}" (scope ${row.scope}, ${expiry}). Store it now: it is not shown again.`);
      console.log(token);
    } else if (action === "list") {
      for (const t of await store.listTokens()) {
        const state = t.revokedAt ? "revoked" : t.expiresAt !== null && t.expiresAt <= Date.now() ? "expired" : "active";
        const expires = t.expiresAt === null ? "never" : new Date(t.expiresAt).toISOString();
        const used = t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : "never";
        console.log(`${t.id}\t${state}\t${t.scope}\t${t.name}\tcreated ${new Date(t.createdAt).toISOString()}\texpires ${expires}\tlast used ${used}`);
      }
    } else if (action === "revoke") {
      const id = Number(rest[0]);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError("revoke: give the token's id (see tm20 token list)");
      await revokeToken({ store, now: Date.now }, CLI, id);
      console.log(`Revoked token ${id}.`);
    } else {
      throw new UsageError(`token: unknown action ${JSON.stringify(action ?? "")} (create, list, revoke)`);
    }
  } finally {
    await store.close();
  }
}
