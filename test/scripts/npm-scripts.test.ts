/**
 * The install is quiet and explicit: every dependency that has an install script (as the lock file
 * records it) is declared in package.json's allowScripts, and .npmrc makes npm refuse to install a
 * dependency whose script nobody declared, instead of running it with a warning.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const json = (file: string) => JSON.parse(readFileSync(resolve(root, file), "utf8")) as Record<string, unknown>;

test("allowScripts names exactly the locked packages with install scripts", () => {
  const lock = json("package-lock.json") as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript === true)
    .map(([path]) => path.replace(/^.*node_modules\//, ""))
    .sort();
  expect(withScripts).toContain("bun");
  expect(json("package.json").allowScripts).toEqual(Object.fromEntries(withScripts.map((name) => [name, true])));
});

test(".npmrc turns an undeclared install script into an install error", () => {
  expect(readFileSync(resolve(root, ".npmrc"), "utf8").split("\n")).toContain("strict-allow-scripts=true");
});
