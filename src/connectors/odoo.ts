/**
 * Odoo: each punch becomes part of an `hr.attendance` (check-in and check-out paired under Odoo's
 * rules, odoo/pairing.ts), over JSON-2 on Odoo 19+ or XML-RPC on older servers (odoo/client.ts);
 * employees are found by a configurable `hr.employee` field holding the mapping's employee id.
 */
import type { AdapterContext, ConnectorKindDef, HrAdapter } from "./adapter.ts";
import { OdooClient } from "./odoo/client.ts";
import { OdooDelivery } from "./odoo/deliver.ts";
import { type OdooCredentials, type OdooSettings, odooCredentials, odooSettings } from "./odoo/settings.ts";

const NO_KEY = "no Odoo API key is set: add one to the destination";

function odooAdapter(ctx: AdapterContext<OdooSettings, OdooCredentials>): HrAdapter {
  if (ctx.credentials === null) {
    return {
      deliver: async (records) => (records.length === 0 ? [] : [{ status: "failed", retryable: true, error: NO_KEY }]),
      test: async () => ({ ok: false, message: NO_KEY }),
    };
  }
  const { api, database, login } = ctx.settings;
  const client = new OdooClient({ url: ctx.url, database, login, apiKey: ctx.credentials.apiKey, api, timeoutMs: ctx.timeoutMs, userAgent: ctx.userAgent });
  const delivery = new OdooDelivery(client, ctx.settings);
  return {
    deliver: (records, signal) => delivery.deliver(records, signal),
    test: (signal) => delivery.test(signal),
  };
}

export const odoo: ConnectorKindDef<OdooSettings, OdooCredentials> = {
  kind: "odoo",
  label: "Odoo",
  settings: odooSettings,
  credentials: odooCredentials,
  adapter: odooAdapter,
};
