/** `tm20`: the command line. Parses the sub-command and hands over; nothing else lives here. */
import { adminCommand, adminHelp } from "./cli/admin.ts";
import { UsageError } from "./cli/args.ts";
import { AppError } from "./lib/app-error.ts";
import { backupCommand, backupHelp } from "./cli/backup.ts";
import { exportCommand, exportHelp } from "./cli/export.ts";
import { peopleCommand, peopleHelp } from "./cli/people.ts";
import { restoreCommand, restoreHelp } from "./cli/restore.ts";
import { serveCommand, serveHelp } from "./cli/serve.ts";
import { simulateCommand, simulateHelp } from "./cli/simulate.ts";
import { terminalCommand, terminalHelp } from "./cli/terminal.ts";
import { timesheetsCommand, timesheetsHelp } from "./cli/timesheets.ts";
import { tokenCommand, tokenHelp } from "./cli/token.ts";
import { VERSION } from "./version.ts";

const commands: Record<string, { run: (argv: string[]) => Promise<void>; help: string; summary: string }> = {
  serve: { run: serveCommand, help: serveHelp, summary: "run the server (terminals, admin UI, API)" },
  admin: { run: adminCommand, help: adminHelp, summary: "create admin UI users, reset passwords" },
  token: { run: tokenCommand, help: tokenHelp, summary: "create, list and revoke API tokens" },
  terminal: { run: terminalCommand, help: terminalHelp, summary: "list, approve and block terminals" },
  simulate: { run: simulateCommand, help: simulateHelp, summary: "simulated terminals, to check a server without hardware" },
  backup: { run: backupCommand, help: backupHelp, summary: "write a consistent copy of the store (safe while serving)" },
  restore: { run: restoreCommand, help: restoreHelp, summary: "replace the store with a backup (server stopped)" },
  people: { run: peopleCommand, help: peopleHelp, summary: "import people from an HR CSV file" },
  timesheets: { run: timesheetsCommand, help: timesheetsHelp, summary: "rebuild the daily results (time and attendance) from the punches" },
  export: { run: exportCommand, help: exportHelp, summary: "export the store to PostgreSQL once (tm20 serve --pg-url does it continuously)" },
};

const usage = `TM20 Server ${VERSION}: the server for TM20 attendance and access-control terminals

Usage: tm20 <command> [flags]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}
  version    print the version

tm20 <command> --help shows a command's flags.`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage);
    return;
  }
  if (name === "version" || name === "--version") {
    console.log(VERSION);
    return;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`${name}: unknown command (tm20 --help lists them)`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return;
  }
  await command.run(rest);
}

// The store holds PINs, cards and templates, the data directory the key to saved credentials, and
// a backup all of it: whatever a command creates is its owner's alone (files 0600, folders 0700).
process.umask(0o077);

// The CLI's one translation of a failure: one line; exit status 2 when the request was at fault, else 1.
main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`tm20: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof AppError && err.exposed ? 2 : 1);
});
