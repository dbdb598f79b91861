import { CLI } from "../app/actor.ts";
import { acceptReplacedHardware, setTerminalApproval } from "../app/terminals.ts";
import type { Approval } from "../store/contract.ts";
import { openStore } from "../store/open.ts";
import { parseArgs, UsageError } from "./args.ts";
import { STORE_FIELDS, serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";

export const terminalHelp = `tm20 terminal list              list terminals with approval and connection state
tm20 terminal approve SN        let a pending terminal in (it is accepted at its next reg)
tm20 terminal block SN          refuse a terminal from now on
tm20 terminal replaced-hardware SN
                                accept the other hardware that registered as SN (new cpusn/MAC)

${serveFlagsHelp(STORE_FIELDS)}`;

export async function terminalCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: [] }));
  const [action, sn] = positionals;
  const store = await openStore(storeConfigFromFlags(flags));
  try {
    if (action === "list") {
      for (const t of await store.listTerminals()) {
        console.log(`${t.sn}\t${t.approval}\t${t.online ? "online" : "offline"}\t${t.model ?? ""}\t${t.firmware ?? ""}\tlast seen ${new Date(t.lastSeen).toISOString()}`);
      }
    } else if (action === "approve" || action === "block") {
      if (!sn) throw new UsageError(`${action}: give the terminal's serial number`);
      const approval: Approval = action === "approve" ? "approved" : "blocked";
      await setTerminalApproval({ store, now: Date.now }, CLI, sn, approval);
      console.log(`${sn} is now ${approval}.`);
    } else if (action === "replaced-hardware") {
      if (!sn) throw new UsageError(`${action}: give the terminal's serial number`);
      const row = await acceptReplacedHardware({ store, now: Date.now }, CLI, sn);
      console.log(`${sn} is now the hardware with cpusn ${row.cpusn ?? "(none sent)"}, MAC ${row.mac ?? "(none sent)"}.`);
    } else {
      throw new UsageError(`terminal: unknown action ${JSON.stringify(action ?? "")} (list, approve, block, replaced-hardware)`);
    }
  } finally {
    await store.close();
  }
}
