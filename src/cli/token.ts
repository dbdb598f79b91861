import { hashToken, newToken } from "../auth/tokens.ts";
import { openStore } from "../store/open.ts";
import { parseArgs, UsageError } from "./args.ts";
import { STORE_FIELDS, serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";

export const tokenHelp = `tm20 token create --name NAME   create an API token; the token is the last line printed (shown once)
tm20 token list                  list tokens (never the tokens themselves)
tm20 token revoke ID             revoke a token

${serveFlagsHelp(STORE_FIELDS)}`;

export async function tokenCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: ["--name"] }));
  const [action, ...rest] = positionals;
  const store = await openStore(storeConfigFromFlags(flags));
  try {
    if (action === "create") {
      const name = flags.get("--name")?.trim();
      if (!name) throw new UsageError("--name: a token needs a name (who or what uses it)");
      const token = newToken();
      const row = await store.createToken(name, hashToken(token), Date.now());
      console.log(`Created API token ${row.id} "${row.name}". Store it now: it is not shown again.`);
      console.log(token);
    } else if (action === "list") {
      for (const t of await store.listTokens()) {
        const state = t.revokedAt ? "revoked" : "active";
        const used = t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : "never";
        console.log(`${t.id}\t${state}\t${t.name}\tcreated ${new Date(t.createdAt).toISOString()}\tlast used ${used}`);
      }
    } else if (action === "revoke") {
      const id = Number(rest[0]);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError("revoke: give the token's id (see tm20 token list)");
      if (!(await store.revokeToken(id, Date.now()))) throw new UsageError(`revoke: no active token with id ${id}`);
      console.log(`Revoked token ${id}.`);
    } else {
      throw new UsageError(`token: unknown action ${JSON.stringify(action ?? "")} (create, list, revoke)`);
    }
  } finally {
    await store.close();
  }
}
