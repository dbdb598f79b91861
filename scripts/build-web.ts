/**
 * Builds the admin UI's browser bundle into web/dist (app.js, app.css): the islands, compiled
 * with hono/jsx/dom, and the style sheet. src/ui/assets.ts embeds the output as text, so this
 * runs before every compile (scripts/build.ts, and test/helpers/binary.ts for tests).
 */
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");

export async function buildWeb(): Promise<void> {
  const dist = resolve(root, "web/dist");
  // Built aside, then renamed in: several test runs may build at once while another compiles.
  const staging = join(dist, `.staging-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  const result = await Bun.build({
    entrypoints: [resolve(root, "web/app.tsx")],
    outdir: staging,
    target: "browser",
    minify: true,
    naming: "[name].[ext]",
    // The same component files render on the server with hono/jsx; in the browser they need the DOM runtime.
    jsx: { runtime: "automatic", importSource: "hono/jsx/dom" },
    throw: false,
  });
  try {
    if (!result.success) throw new Error(`web bundle failed:\n${result.logs.map((l) => String(l)).join("\n")}`);
    for (const name of ["app.js", "app.css"]) renameSync(join(staging, name), join(dist, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  await buildWeb();
  console.log("build-web: web/dist/app.js, web/dist/app.css");
}
