/**
 * docs/haproxy.cfg runs as given where the open-file limit is 20,000 (a common default): the
 * check passes and a real start proxies requests and health-checks its servers. The cluster tests
 * run the same file the same way; this one needs no TM20 instances, a plain HTTP server stands in.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, haproxyConfig, spawnHaproxy, until } from "../helpers/cluster.ts";

const dir = mkdtempSync(join(tmpdir(), "tm20-haproxy-"));
/** Started HAProxies: stopped here too, for a test that ends before its own cleanup (it outlives this process otherwise). */
const started: Array<ReturnType<typeof spawnHaproxy>> = [];
afterAll(async () => {
  for (const p of started) p.kill();
  await Promise.all(started.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
});

test("haproxy -c accepts docs/haproxy.cfg as shipped under a limit of 20,000 open files", async () => {
  const check = spawnHaproxy([resolve(import.meta.dir, "../../docs/haproxy.cfg")], ["-c"]);
  const [code, stderr] = await Promise.all([check.exited, new Response(check.stderr).text()]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
});

test("docs/haproxy.cfg starts under a limit of 20,000 open files and proxies to a healthy server, naming the client in X-Forwarded-For", async () => {
  const backend = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response(`behind haproxy for ${req.headers.get("x-forwarded-for")}`) });
  const lbPort = freePort();
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(cfg, haproxyConfig(lbPort, [backend.port ?? 0]));
  const lb = spawnHaproxy([cfg], ["-db"]);
  started.push(lb);
  let exited: string | null = null;
  void lb.exited.then(async (code) => {
    exited = `haproxy exited with ${code}: ${await new Response(lb.stderr).text()}`;
  });
  try {
    // Refused until it listens.
    await until("HAProxy to proxy a request", async () => {
      if (exited) throw new Error(exited);
      const res = await fetch(`http://127.0.0.1:${lbPort}/hello`).catch(() => null);
      return res?.status === 200 && (await res.text()) === "behind haproxy for 127.0.0.1";
    }, 20_000, 200);
    expect(exited).toBeNull();
  } finally {
    lb.kill();
    await lb.exited;
    void backend.stop(true);
  }
}, 30_000);
