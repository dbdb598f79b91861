/**
 * A real `tm20 serve` process on a free port with its own data directory, for integration tests.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { runCli, tm20Binary } from "./binary.ts";

export interface Tm20Process {
  port: number;
  dataDir: string;
  http: string;
  ws(path?: string): string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  logs: Array<Record<string, unknown>>;
  /** Waits for a log line whose msg matches. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** GET/POST on the API with a bearer token created for this data directory. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** What the server wrote to standard error so far. */
  stderr(): string;
  /** The first-run setup code the server printed at start (it prints one only while no admin exists). */
  setupCode(): Promise<string>;
  /** Opens the store file read-only for assertions. */
  db(): Database;
  stop(): Promise<number>;
  kill9(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Keep the data directory after stop (for restart tests). */
  keepData?: boolean;
}

export function tempDir(prefix = "tm20-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTm20(options: StartOptions = {}): Promise<Tm20Process> {
  const dataDir = options.dataDir ?? tempDir();
  const proc = Bun.spawn([tm20Binary(), "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...(options.args ?? [])], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, TM20_LOG_LEVEL: "debug", ...options.env },
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let stderr = "";
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of proc.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl = buffer.indexOf("\n");
      while (nl !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { msg: line };
        }
        logs.push(entry);
        for (let i = waiters.length - 1; i >= 0; i--) {
          const w = waiters[i];
          if (w?.match(entry)) {
            waiters.splice(i, 1);
            w.resolve(entry);
          }
        }
      }
    }
  })();
  void (async () => {
    for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk);
  })();

  const waitForLog = (msg: string | RegExp, timeoutMs = 10_000) => {
    const match = (l: Record<string, unknown>) => (typeof msg === "string" ? l.msg === msg : msg.test(String(l.msg)));
    const found = logs.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log "${msg}" within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  };

  const ready = await Promise.race([
    waitForLog("TM20 Server listening"),
    proc.exited.then((code) => {
      throw new Error(`tm20 serve exited with ${code}: ${stderr}`);
    }),
  ]);
  const port = Number(ready.port);
  let token: string | null = null;
  const http = `http://127.0.0.1:${port}`;

  return {
    port,
    dataDir,
    http,
    proc,
    logs,
    waitForLog,
    stderr: () => stderr,
    async setupCode() {
      const line = await waitForLog(/^no admin account yet/);
      return String(line.setupCode);
    },
    ws: (path = "/pub/chat") => `ws://127.0.0.1:${port}${path}`,
    async api(path, init) {
      token ??= createToken(dataDir);
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${token}`);
      return fetch(`${http}${path}`, { ...init, headers });
    },
    db: () => new Database(join(dataDir, "tm20.db"), { readonly: true }),
    async stop() {
      proc.kill("SIGTERM");
      const code = await proc.exited;
      if (!options.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    async kill9() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

export function createToken(dataDir: string, name = "test", scope: "read" | "commands" | "admin" = "admin"): string {
  const out = runCli(["token", "create", "--name", name, "--scope", scope, "--data-dir", dataDir]);
  if (out.code !== 0) throw new Error(`token create failed: ${out.stderr}`);
  const lines = out.stdout.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}

/** An admin UI session cookie for `username`, logged in over HTTP as a browser would (the login's CSRF pre-cookie included). */
export async function sessionCookie(http: string, username: string, password: string): Promise<string> {
  const pre = "p".repeat(40);
  const res = await fetch(`${http}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `tm20_pre=${pre}` },
    body: new URLSearchParams({ _csrf: pre, username, password, next: "/" }),
  });
  if (res.status !== 303) throw new Error(`login as ${username}: HTTP ${res.status}`);
  return `tm20_session=${/tm20_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1]}`;
}

/** Posts `fields` to `path` as the admin UI's form on `page` does: that page's CSRF token, the session cookie, this origin. */
export async function postUiForm(http: string, cookie: string, page: string, path: string, fields: Record<string, string> = {}): Promise<Response> {
  const html = await (await fetch(`${http}${page}`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  return fetch(`${http}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: http },
    body: new URLSearchParams({ ...fields, _csrf: csrf }),
  });
}
