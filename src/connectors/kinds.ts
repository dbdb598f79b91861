/**
 * The HR systems a destination can be. A new kind is one file exporting a ConnectorKindDef
 * (settings and credentials as zod schemas, an adapter) and one line here.
 */
import type { z } from "zod";
import type { AdapterContext, ConnectorKindDef, HrAdapter } from "./adapter.ts";
import { erpnext } from "./erpnext.ts";
import { odoo } from "./odoo.ts";

/** A kind with its types erased: settings and credentials are checked by its own schemas. */
export interface ConnectorKind {
  kind: string;
  label: string;
  settings: z.ZodType<unknown>;
  credentials: z.ZodType<unknown>;
  adapter(ctx: AdapterContext<unknown, unknown>): HrAdapter;
}

function erase<S, C>(def: ConnectorKindDef<S, C>): ConnectorKind {
  return {
    kind: def.kind,
    label: def.label,
    settings: def.settings,
    credentials: def.credentials,
    adapter: (ctx) =>
      def.adapter({ ...ctx, settings: def.settings.parse(ctx.settings), credentials: ctx.credentials === null ? null : def.credentials.parse(ctx.credentials) }),
  };
}

export const CONNECTOR_KINDS = ["erpnext", "odoo"] as const;
export type ConnectorKindName = (typeof CONNECTOR_KINDS)[number];

const KINDS: Record<ConnectorKindName, ConnectorKind> = {
  erpnext: erase(erpnext),
  odoo: erase(odoo),
};

export function connectorKind(name: string): ConnectorKind | null {
  return (CONNECTOR_KINDS as readonly string[]).includes(name) ? KINDS[name as ConnectorKindName] : null;
}
