/**
 * /setup (first admin, only while no admin exists), /login and /logout. Sessions: a random token
 * in an HttpOnly SameSite=Strict cookie, stored as its SHA-256; each carries its CSRF token.
 */
import { type Context, Hono } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { LoginLimiter } from "../../auth/login-limiter.ts";
import { dummyHash, hashPassword, passwordSchema, usernameSchema, verifyPassword } from "../../auth/passwords.ts";
import { isSetupCode } from "../../auth/setup-code.ts";
import { hashToken } from "../../auth/tokens.ts";
import {
  checkPreSessionCsrf,
  clearSessionCookie,
  clientAddress,
  csrfRefused,
  CSRF_FIELD,
  formOf,
  preSessionToken,
  randomToken,
  SESSION_COOKIE,
  SESSION_IDLE_MS,
  setSessionCookie,
} from "../auth-guard.ts";
import { Field } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { barePage } from "../layout.tsx";

const setupForm = z
  .object({ code: z.string().max(100), username: usernameSchema, password: passwordSchema, confirm: z.string() })
  .refine((f) => f.password === f.confirm, { path: ["confirm"], message: "the two passwords differ" });

const loginForm = z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) });

/** Only same-site paths, so a crafted link cannot send a fresh login elsewhere. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : "/";
}

type Errors = Partial<Record<string, string>>;
/** The setup form's fields in page order. */
const SETUP_FIELDS = ["code", "username", "password", "confirm"] as const;

function errorsOf(error: z.ZodError): Errors {
  const out: Errors = {};
  for (const issue of error.issues) out[String(issue.path[0] ?? "form")] ??= issue.message;
  return out;
}

function SetupForm({ csrf, username, errors }: { csrf: string; username: string | undefined; errors: Errors }) {
  // Focus where the admin has to type next: the first field refused, else the first field.
  const focus = SETUP_FIELDS.find((f) => errors[f]) ?? "code";
  return (
    <form method="post" action="/setup" class="stack" novalidate>
      <h1>Welcome</h1>
      <p class="muted">No admin account exists yet. Create the first one: it can do everything, including adding other admins and viewers.</p>
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      <Field
        label="Setup code"
        name="code"
        required
        autofocus={focus === "code"}
        autocomplete="off"
        hint="Printed by the server when it started (its log and standard error), so that only whoever runs it can create the first admin."
        error={errors.code}
      />
      <Field label="User name" name="username" value={username} required autocomplete="username" error={errors.username} autofocus={focus === "username"} />
      <Field label="Password" name="password" type="password" required autocomplete="new-password" hint="At least 10 characters." error={errors.password} autofocus={focus === "password"} />
      <Field label="Repeat the password" name="confirm" type="password" required autocomplete="new-password" error={errors.confirm} autofocus={focus === "confirm"} />
      <button type="submit" class="btn btn-primary btn-block">
        Create admin account
      </button>
    </form>
  );
}

function LoginForm({ csrf, username, next, error }: { csrf: string; username?: string; next?: string; error: string | null }) {
  return (
    <form method="post" action="/login" class="stack">
      <h1>Log in</h1>
      {error ? (
        <p class="flash flash-error" role="alert">
          {error}
        </p>
      ) : null}
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      <input type="hidden" name="next" value={safeNext(next)} />
      {/* After a refused login the user name is kept, so the password is what to type again. */}
      <Field label="User name" name="username" value={username} required autocomplete="username" autofocus={!username} />
      <Field label="Password" name="password" type="password" required autocomplete="current-password" autofocus={Boolean(username)} />
      <button type="submit" class="btn btn-primary btn-block">
        Log in
      </button>
    </form>
  );
}

export function authPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const limiter = new LoginLimiter({ windowMs: 15 * 60_000, maxPerUser: 5, maxPerAddress: 30, now: deps.now });

  const startSession = async (c: Context<UiEnv>, userId: number) => {
    const token = randomToken();
    const now = deps.now();
    await deps.store.admin.createSession({
      tokenHash: hashToken(token), userId, csrfToken: randomToken(), at: now, expiresAt: now + SESSION_IDLE_MS, remoteAddr: clientAddress(c),
    });
    await deps.store.admin.recordLogin(userId, now);
    // Logins are rare: the right moment to drop sessions that ran out.
    await deps.store.admin.deleteExpiredSessions(now);
    setSessionCookie(c, token);
  };

  app.use("/setup", checkPreSessionCsrf());
  app.use("/login", checkPreSessionCsrf());

  const setupPage = (c: Context<UiEnv>, values: { username?: string }, errors: Errors, status: 200 | 400 | 403 = 200) =>
    barePage(c, deps.settings.siteName, "Create the first admin", <SetupForm csrf={preSessionToken(c)} username={values.username} errors={errors} />, status);

  app.get("/setup", async (c) => {
    if (await deps.store.admin.hasUsers()) return c.redirect("/login", 303);
    return setupPage(c, {}, {});
  });

  app.post("/setup", async (c) => {
    if (await deps.store.admin.hasUsers()) return c.redirect("/login", 303);
    const form = await formOf(c);
    if (deps.setupCode === null || !isSetupCode(form.code, deps.setupCode)) {
      deps.log.warn({ address: clientAddress(c) }, "first-run setup refused: wrong setup code");
      const why = deps.setupCode === null ? "No setup code was printed at start: restart the server, or use tm20 admin create." : "Not the setup code the server printed at start.";
      return setupPage(c, { username: form.username }, { code: why }, 403);
    }
    const parsed = setupForm.safeParse(form);
    if (!parsed.success) return setupPage(c, { username: form.username }, errorsOf(parsed.error), 400);
    const now = deps.now();
    const user = await deps.store.admin.createFirstAdmin({ username: parsed.data.username, passwordHash: await hashPassword(parsed.data.password), role: "admin", at: now });
    if (!user) return c.redirect("/login", 303);
    await deps.store.audit({ at: now, actor: `user:${user.username}`, action: "admin.first-created", target: user.username, result: "ok" });
    deps.log.info({ user: user.username }, "first admin account created");
    await startSession(c, user.id);
    return c.redirect("/", 303);
  });

  const loginPage = (c: Context<UiEnv>, values: { username?: string; next?: string }, error: string | null, status: 200 | 400 | 429 = 200) =>
    barePage(c, deps.settings.siteName, "Log in", <LoginForm csrf={preSessionToken(c)} {...values} error={error} />, status);

  app.get("/login", async (c) => {
    if (!(await deps.store.admin.hasUsers())) return c.redirect("/setup", 303);
    return loginPage(c, { next: c.req.query("next") }, null);
  });

  app.post("/login", async (c) => {
    const form = await formOf(c);
    const parsed = loginForm.safeParse(form);
    const next = safeNext(form.next);
    if (!parsed.success) return loginPage(c, { username: form.username, next }, "Enter your user name and password.", 400);
    const { username, password } = parsed.data;
    const address = clientAddress(c);
    const decision = limiter.start(username, address);
    if (!decision.ok) {
      await deps.store.audit({ at: deps.now(), actor: `user:${username}`, action: "login", target: username, details: { address }, result: "failed: rate limited" });
      return loginPage(c, { username, next }, `Too many failed logins. Try again in ${Math.ceil(decision.retryAfterMs / 1000)} s.`, 429);
    }
    const { attempt } = decision;
    try {
      const user = await deps.store.admin.userByName(username);
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
      if (!user || !ok || user.disabled) {
        attempt.failed();
        await deps.store.audit({ at: deps.now(), actor: `user:${username}`, action: "login", target: username, details: { address }, result: user?.disabled && ok ? "failed: account disabled" : "failed: wrong user name or password" });
        deps.log.warn({ user: username, address }, "failed admin login");
        return loginPage(c, { username, next }, user?.disabled && ok ? "This account is disabled." : "Wrong user name or password.", 400);
      }
      attempt.succeeded();
      await startSession(c, user.id);
      await deps.store.audit({ at: deps.now(), actor: `user:${user.username}`, action: "login", target: user.username, details: { address }, result: "ok" });
      return c.redirect(next, 303);
    } finally {
      attempt.release();
    }
  });

  // Logout needs the session's CSRF token (a forged logout is a nuisance, but still a change).
  app.post("/logout", async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    const found = token ? await deps.store.admin.session(hashToken(token), deps.now()) : null;
    if (found) {
      if (await csrfRefused(c, found.session.csrfToken)) return c.text("Missing or wrong CSRF token.", 403);
      await deps.store.admin.deleteSession(found.session.tokenHash);
      await deps.store.audit({ at: deps.now(), actor: `user:${found.user.username}`, action: "logout", target: found.user.username, result: "ok" });
    }
    clearSessionCookie(c);
    return c.redirect("/login", 303);
  });

  return app;
}
