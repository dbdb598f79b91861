/** README.md stays true to the code: every serve setting and every sub-command is documented. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { serveFields } from "../../src/config/schema.ts";
import { runCli } from "../helpers/binary.ts";

const readme = readFileSync(resolve(import.meta.dir, "../../README.md"), "utf8");

test("every serve flag and its variable are in the README's table", () => {
  const missing = Object.values(serveFields)
    .filter((f) => !readme.includes(`| \`${f.flag}\` | \`${f.env}\` |`))
    .map((f) => f.flag);
  expect(missing).toEqual([]);
});

test("every sub-command of tm20 --help is in the README", () => {
  const help = runCli(["--help"]).stdout;
  const commands = [...help.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1] ?? "");
  expect(commands.length).toBeGreaterThanOrEqual(8);
  expect(commands.filter((c) => !readme.includes(`tm20 ${c}`))).toEqual([]);
});
