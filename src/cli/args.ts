/**
 * Flag parsing for the sub-commands. Small on purpose: `--name value`, `--name=value` and
 * boolean `--name`; anything unknown is an error that names the flag.
 */
import { AppError } from "../lib/app-error.ts";

/** A command line that cannot be run as given: the CLI's AppError (one line, exit status 2). */
export class UsageError extends AppError {
  override name = "UsageError";
  constructor(message: string) {
    super(400, "usage", message);
  }
}

export interface FlagSpec {
  /** Flags that take no value. */
  booleans?: readonly string[];
  /** Flags that take a value. */
  values: readonly string[];
}

export interface ParsedArgs {
  flags: Map<string, string>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  const booleans = new Set(spec.booleans ?? []);
  const values = new Set(spec.values);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (booleans.has(name)) {
      if (eq !== -1) throw new UsageError(`${name}: takes no value`);
      flags.set(name, "true");
    } else if (values.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`${name}: needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`${name}: unknown flag`);
    }
  }
  return { flags, positionals };
}
