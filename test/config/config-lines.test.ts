/**
 * Settings → Server configuration: one line a flag, in the schema's order, the value the server
 * runs with (a URL's password hidden), and whether changing it needs a restart — every flag does
 * but --tz and --approval, which only seed the site settings changed at once.
 */
import { expect, test } from "bun:test";
import { parseArgs } from "../../src/cli/args.ts";
import { SERVE_FLAGS } from "../../src/cli/store-flags.ts";
import { describeServeConfig, loadServeConfig } from "../../src/config/load.ts";
import { serveFields } from "../../src/config/schema.ts";
import { ServerConfigPanel } from "../../src/ui/pages/server-config.tsx";

const config = loadServeConfig(
  parseArgs(["--pg-url", "postgres://tm20:s3cret@db:5432/site", "--redis-url", "redis://:hush@cache:6379", "--port", "8080", "--tz", "Europe/Paris"], SERVE_FLAGS).flags,
  {},
);
const lines = describeServeConfig(config);

test("a line per flag, in the schema's order, each with its variable", () => {
  expect(lines.map((l) => [l.flag, l.env])).toEqual(Object.values(serveFields).map((f) => [f.flag, f.env]));
});

test("values as the server runs with them; passwords in URLs shown as ***", () => {
  const value = (flag: string) => lines.find((l) => l.flag === flag)?.value;
  expect(value("--port")).toBe("8080");
  expect(value("--tz")).toBe("Europe/Paris");
  expect(value("--pg-url")).toBe("postgres://tm20:***@db:5432/site");
  expect(value("--redis-url")).toBe("redis://:***@cache:6379");
  expect(value("--cluster")).toBe("false");
  expect(JSON.stringify(lines)).not.toContain("s3cret");
  expect(JSON.stringify(lines)).not.toContain("hush");
});

test("every flag needs a restart but the two that seed a site setting", () => {
  expect(lines.filter((l) => l.siteSetting !== null).map((l) => [l.flag, l.siteSetting])).toEqual([
    ["--tz", "tz"],
    ["--approval", "approval"],
  ]);
});

test("the panel says so beside each flag", () => {
  const html = String(ServerConfigPanel({ lines }));
  const restartRows = html.match(/<tr data-flag="[^"]+"><td class="mono">[^<]+<\/td><td class="mono">[^<]+<\/td><td class="mono">.*?<\/td><td><span class="badge[^"]*">Needs restart<\/span><\/td><\/tr>/g) ?? [];
  expect(restartRows.length).toBe(lines.length - 2);
  expect(html).toContain(`<tr data-flag="--tz">`);
  expect(html).toMatch(/data-flag="--tz">.*?First value of the site setting &quot;Time zone&quot;, changed above at once/);
  expect(html).toMatch(/data-flag="--approval">.*?First value of the site setting &quot;New terminals&quot;, changed above at once/);
  expect(html).not.toContain("s3cret");
});
