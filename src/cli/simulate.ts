import { z } from "zod";
import { SiteClock, systemTimeZone } from "../protocol/index.ts";
import { Simulation } from "../simulator/run.ts";
import { parseArgs, UsageError } from "./args.ts";

const fields = {
  "--url": { help: "server address", default: "ws://127.0.0.1:7788", schema: z.string().regex(/^wss?:\/\/[^/]+/, "expected ws://host:port") },
  "--path": { help: "WebSocket path set in the terminal menu", default: "/pub/chat", schema: z.string().startsWith("/") },
  "--terminals": { help: "number of simulated terminals", default: "1", schema: z.coerce.number().int().min(1).max(100_000) },
  "--batch": { help: "records per sendlog batch", default: "10", schema: z.coerce.number().int().min(1).max(1000) },
  "--rate": { help: "batches per second per terminal (0: next batch as soon as acknowledged)", default: "1", schema: z.coerce.number().min(0) },
  "--duration": { help: "seconds to upload (0: until --records are all acknowledged)", default: "10", schema: z.coerce.number().min(0) },
  "--records": { help: "records per terminal (default: unlimited, bounded by --duration; 0: upload nothing, stay for --duration answering commands)", default: "", schema: z.union([z.literal("").transform(() => Infinity), z.coerce.number().int().min(0)]) },
  "--prefix": { help: "serial-number prefix", default: "SIM", schema: z.string().regex(/^[\x21-\x7e]{1,40}$/) },
  "--connect-rate": { help: "new connections per second while ramping up", default: "1000", schema: z.coerce.number().int().min(1) },
  "--grace": { help: "seconds to wait for the last answers", default: "15", schema: z.coerce.number().min(0) },
  "--users": { help: "people in each terminal's user store (2.5 credentials each on average)", default: "0", schema: z.coerce.number().int().min(0).max(100_000) },
  "--logs": { help: "records in each terminal's log store, for getnewlog/getalllog", default: "0", schema: z.coerce.number().int().min(0).max(1_000_000) },
  "--answer-with": { help: "answer server commands with ret, or cmd as some AiFace firmware does", default: "ret", schema: z.enum(["ret", "cmd"]) },
  "--commands": { help: "answer, silent (never answer a command) or refuse (answer result:false)", default: "answer", schema: z.enum(["answer", "silent", "refuse"]) },
  "--warmup": { help: "seconds from the start whose answers are left out of the latency figures (the registration storm)", default: "0", schema: z.coerce.number().min(0) },
  "--clock-skew": { help: "seconds each terminal's clock is off at start", default: "0", schema: z.coerce.number().int() },
} as const;

export const simulateHelp = `tm20 simulate [flags]   simulated terminals upload logs to a server and report what happened

${Object.entries(fields)
  .map(([flag, f]) => `  ${`${flag} <value>`.padEnd(24)} ${f.help}${f.default ? ` (default ${f.default})` : ""}`)
  .join("\n")}
  --json                   print the summary as one JSON line`;

export async function simulateCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, { values: Object.keys(fields), booleans: ["--json"] });
  const v: Record<string, unknown> = {};
  for (const [flag, f] of Object.entries(fields)) {
    const raw = flags.get(flag) ?? f.default;
    const parsed = f.schema.safeParse(raw);
    if (!parsed.success) throw new UsageError(`${flag}: ${JSON.stringify(raw)} is invalid (${parsed.error.issues[0]?.message ?? "invalid"})`);
    v[flag] = parsed.data;
  }
  const records = v["--records"] as number;
  const duration = v["--duration"] as number;
  if (duration === 0 && !Number.isFinite(records)) throw new UsageError("--duration: 0 needs --records (or it would never end)");
  const url = `${(v["--url"] as string).replace(/\/+$/, "")}${v["--path"] as string}`;
  const sim = new Simulation({
    url,
    terminals: v["--terminals"] as number,
    batchSize: v["--batch"] as number,
    rate: v["--rate"] as number,
    duration: flags.has("--duration") || !Number.isFinite(records) ? duration : 0,
    records,
    prefix: v["--prefix"] as string,
    // Record times start at this machine's wall clock now, as a real terminal's would.
    startTime: new Date(`${new SiteClock(systemTimeZone()).format(Date.now()).replace(" ", "T")}Z`),
    connectRate: v["--connect-rate"] as number,
    grace: v["--grace"] as number,
    users: v["--users"] as number,
    logs: v["--logs"] as number,
    answerWith: v["--answer-with"] as "ret" | "cmd",
    commandMode: v["--commands"] as "answer" | "silent" | "refuse",
    clockSkewSeconds: v["--clock-skew"] as number,
    warmup: v["--warmup"] as number,
  });
  const stop = () => {
    sim.stop();
    process.exit(130);
  };
  process.on("SIGINT", stop);
  const summary = await sim.run();
  sim.stop();
  if (flags.has("--json")) console.log(JSON.stringify(summary));
  else {
    console.log(`terminals     ${summary.terminals} (registered at the end: ${summary.registered}, refused: ${summary.refusals})`);
    console.log(`records       sent ${summary.sent}, acknowledged ${summary.acknowledged} (${summary.acknowledged_per_second}/s over ${summary.seconds} s)`);
    console.log(`failures      result:false ${summary.failures}, time-outs ${summary.timeouts}, resends ${summary.resends}, reconnects ${summary.reconnects}`);
    console.log(`latency (ms)  p50 ${summary.latency_ms.p50}, p95 ${summary.latency_ms.p95}, p99 ${summary.latency_ms.p99}, max ${summary.latency_ms.max}`);
  }
  process.exit(summary.acknowledged === summary.sent && summary.registered === summary.terminals ? 0 : 1);
}
