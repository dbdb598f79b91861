/**
 * Settings → Server configuration: the flags `tm20 serve` started with, read-only. Each says
 * whether changing it needs a restart (src/config/schema.ts marks the few that only seed a site
 * setting, changed above at once).
 */
import type { ConfigLine } from "../../config/load.ts";
import { Badge } from "../components.tsx";
import { Table } from "../table.tsx";

const SITE_SETTING_LABELS: Record<string, string> = { tz: "Time zone", approval: "New terminals" };

export function ServerConfigPanel({ lines }: { lines: ConfigLine[] }) {
  return (
    <section class="panel" aria-labelledby="server-config-h">
      <h2 id="server-config-h">Server configuration</h2>
      <p class="muted">
        Set by <span class="mono">tm20 serve</span> flags or <span class="mono">TM20_*</span> variables when the server starts: changing one needs a
        restart. The site settings above apply at once.
      </p>
      <Table
        rows={lines}
        row={(l) => ({ "data-flag": l.flag })}
        columns={[
          { head: "Flag", class: "mono", cell: (l) => l.flag },
          { head: "Variable", class: "mono", cell: (l) => l.env },
          { head: "Value", class: "mono", cell: (l) => (l.value === "" ? <span class="muted">(none)</span> : l.value) },
          {
            head: "Takes effect",
            cell: (l) =>
              l.siteSetting === null ? (
                <Badge tone="warn">Needs restart</Badge>
              ) : (
                <span>First value of the site setting "{SITE_SETTING_LABELS[l.siteSetting] ?? l.siteSetting}", changed above at once</span>
              ),
          },
        ]}
      />
    </section>
  );
}
