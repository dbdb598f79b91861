/**
 * Node cannot import `.sql` files as text the way Bun does (`with { type: "text" }`): this
 * load hook serves them as `export default "<file text>"` so the store runs unchanged on Node.
 *   node --import tsx --import ./test/helpers/node-sql-loader.mjs --test <file>
 * The same file is the hook module: registered from the main thread, run in the hooks thread.
 */
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

if (isMainThread) register(import.meta.url);

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".sql")) return nextLoad(url, context);
  const text = await readFile(new URL(url), "utf8");
  return { format: "module", source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
}
