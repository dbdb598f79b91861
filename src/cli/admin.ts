import { CLI } from "../app/actor.ts";
import { createUser, updateUser } from "../app/admin-users.ts";
import { passwordSchema, usernameSchema } from "../auth/passwords.ts";
import { openStore } from "../store/open.ts";
import { parseArgs, UsageError } from "./args.ts";
import { STORE_FIELDS, serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";

export const adminHelp = `tm20 admin create --username NAME [--role admin|viewer]   add an admin UI user
tm20 admin passwd --username NAME                         set a user's password (and end their sessions)
tm20 admin list                                           list admin UI users
  The password is read from standard input (typed without echo on a terminal, or piped:
  printf '%s\\n' "$PASSWORD" | tm20 admin create --username alice). At least 10 characters.

${serveFlagsHelp(STORE_FIELDS)}`;

/** One line from stdin; on a terminal without echo, so the password never shows on screen. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const text = await new Response(Bun.stdin.stream()).text();
    return text.split(/\r?\n/)[0] ?? "";
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = "";
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString("utf8")) {
          if (ch === "\r" || ch === "\n") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            return resolve(typed);
          }
          if (ch === "\u0003") {
            stdin.off("data", onData);
            return reject(new UsageError("cancelled"));
          }
          typed = ch === "\u007f" || ch === "\b" ? typed.slice(0, -1) : typed + ch;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

async function newPassword(): Promise<string> {
  const password = await readPassword("Password: ");
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw new UsageError(`password: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  if (process.stdin.isTTY && (await readPassword("Repeat the password: ")) !== password) throw new UsageError("password: the two entries differ");
  return password;
}

export async function adminCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: ["--username", "--role"] }));
  const [action] = positionals;
  if (action !== "create" && action !== "passwd" && action !== "list") {
    throw new UsageError(`admin: unknown action ${JSON.stringify(action ?? "")} (create, passwd, list)`);
  }
  let name = "";
  if (action !== "list") {
    const parsed = usernameSchema.safeParse(flags.get("--username") ?? "");
    if (!parsed.success) throw new UsageError(`--username: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    name = parsed.data;
  }
  const role = flags.get("--role") ?? "admin";
  if (role !== "admin" && role !== "viewer") throw new UsageError(`--role: ${JSON.stringify(role)} is invalid (admin or viewer)`);
  // Read the password before opening the store: nothing is held open while someone types.
  const password = action === "list" ? "" : await newPassword();
  const store = await openStore(storeConfigFromFlags(flags));
  try {
    if (action === "list") {
      for (const u of await store.admin.listUsers()) {
        const login = u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : "never";
        console.log(`${u.id}\t${u.username}\t${u.role}\t${u.disabled ? "disabled" : "active"}\tlast login ${login}`);
      }
      return;
    }
    const deps = { store, now: Date.now };
    if (action === "create") {
      const row = await createUser(deps, CLI, { username: name, role, password });
      console.log(`Created ${row.role} ${row.username}. Log in at http://<this machine>:7788/`);
    } else {
      const user = await updateUser(deps, CLI, name, { password });
      console.log(`Password of ${user.username} changed; their sessions are ended.`);
    }
  } finally {
    await store.close();
  }
}
