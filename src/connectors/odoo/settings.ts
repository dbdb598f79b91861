/**
 * An Odoo destination's settings and credentials (one zod schema each; defaults give a working
 * destination for Odoo 19 with employees matched on their badge ID).
 */
import { z } from "zod";
import { timesheetSchemas } from "../../timesheets/index.ts";

export const odooSettings = z
  .strictObject({
    /** json2: Odoo 19+; xmlrpc: any version (deprecated from 19, removed in 22); auto: json2, else xmlrpc. */
    api: z.enum(["auto", "json2", "xmlrpc"]).default("auto"),
    /** The database name: needed by XML-RPC, and by JSON-2 where one server hosts several. */
    database: z.string().trim().max(200).default(""),
    /** The Odoo user the API key belongs to (XML-RPC only). */
    login: z.string().trim().max(200).default(""),
    /** The `hr.employee` field holding our employee id: barcode (Badge ID), identification_id, pin… */
    employeeField: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, "an hr.employee field name such as barcode")
      .default("barcode"),
    /** How terminals' in/out state is read: trust it, pair punches in order, or every punch an entry/exit. */
    inOut: timesheetSchemas.punchInterpretation.default("pair"),
    /** Per terminal serial number, overriding `inOut`. */
    terminals: z
      .record(z.string().min(1).max(64), timesheetSchemas.punchInterpretation)
      .refine((t) => Object.keys(t).length <= 10_000, "at most 10,000 terminals")
      .default({}),
    /** Punches of one employee closer than this to the one before count once. */
    doubleScanSeconds: z.number().int().min(0).max(3600).default(120),
    /** An attendance is closed only by a punch within this many hours of its check-in. */
    maxAttendanceHours: z.number().int().min(1).max(48).default(16),
  })
  .refine((s) => s.api !== "xmlrpc" || (s.database !== "" && s.login !== ""), "XML-RPC needs the database and the login");

export const odooCredentials = z.strictObject({
  /** An Odoo API key (Preferences → Account Security → New API Key). */
  apiKey: z.string().trim().min(1).max(500),
});

export type OdooSettings = z.infer<typeof odooSettings>;
export type OdooCredentials = z.infer<typeof odooCredentials>;
