/**
 * An Odoo client for the few ORM calls the Odoo destination makes, over either external API:
 * - JSON-2 (Odoo 19+): `POST {url}/json/2/{model}/{method}`, `Authorization: bearer <API key>`,
 *   `X-Odoo-Database` when a database is set, named arguments in a JSON body; errors are a 4xx/5xx
 *   status with `{name, message, arguments, context, debug}`;
 * - XML-RPC (every version up to 21): `/xmlrpc/2/common` `authenticate(db, login, key, {})` → uid,
 *   then `/xmlrpc/2/object` `execute_kw(db, uid, key, model, method, args, kwargs)`; errors are a
 *   `<fault>` with Odoo's code (2 user error, 3 access denied, 4 access error).
 * `auto` tries JSON-2 and falls back to XML-RPC when the server has no `/json/2` route (an HTML 404),
 * then keeps what worked for the life of the client.
 */
import { decodeResponse, encodeCall, XmlRpcError, type XmlRpcValue } from "./xmlrpc.ts";

export type OdooApi = "json2" | "xmlrpc";
export type OdooApiChoice = OdooApi | "auto";

export interface OdooConnection {
  /** Base URL of the Odoo server, e.g. https://mycompany.odoo.com (no trailing slash needed). */
  url: string;
  /** Empty: the server picks (JSON-2 only; XML-RPC needs it). */
  database: string;
  /** The user the API key belongs to (XML-RPC only: JSON-2 finds the user from the key). */
  login: string;
  apiKey: string;
  api: OdooApiChoice;
  timeoutMs: number;
  userAgent: string;
}

/**
 * - `auth`: the key, login or database was refused;
 * - `refused`: Odoo refused the operation (a UserError/ValidationError: its message says why);
 * - `access`: the user may not do that (access rights);
 * - `unavailable`: no answer, a time-out or a server error: worth retrying;
 * - `protocol`: an answer that is not Odoo's (a proxy's page, a wrong URL).
 */
export type OdooErrorKind = "auth" | "refused" | "access" | "unavailable" | "protocol";

export class OdooError extends Error {
  override name = "OdooError";
  constructor(
    readonly kind: OdooErrorKind,
    message: string,
    /** Odoo's exception name when it gave one (e.g. odoo.exceptions.ValidationError). */
    readonly remoteName: string | null = null,
  ) {
    super(message);
  }
}

export type OdooValue = XmlRpcValue;
export type OdooRecord = Record<string, OdooValue>;

export interface SearchReadOptions {
  order?: string;
  limit?: number;
  offset?: number;
  context?: OdooRecord;
}

/** Answers are cut here: a search_read page of attendances is far smaller. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** What a client learns once and its scoped views share: the API `auto` found, the XML-RPC uid. */
interface Learned {
  api: OdooApi | null;
  uid: number | null;
}

export class OdooClient {
  private readonly base: string;

  constructor(
    private readonly conn: OdooConnection,
    private readonly learned: Learned = { api: conn.api === "auto" ? null : conn.api, uid: null },
    /** Aborts the requests of this view (the dispatcher stopping), besides each request's time-out. */
    private readonly signal: AbortSignal | null = null,
  ) {
    this.base = conn.url.replace(/\/+$/, "");
  }

  /** The same client whose requests `signal` also aborts. */
  scoped(signal: AbortSignal): OdooClient {
    return new OdooClient(this.conn, this.learned, signal);
  }

  /** The API in use; null until `auto` has made its first call. */
  get api(): OdooApi | null {
    return this.learned.api;
  }

  async searchRead(model: string, domain: OdooValue[], fields: string[], opts: SearchReadOptions = {}): Promise<OdooRecord[]> {
    const kw: OdooRecord = { fields };
    if (opts.order !== undefined) kw.order = opts.order;
    if (opts.limit !== undefined) kw.limit = opts.limit;
    if (opts.offset !== undefined) kw.offset = opts.offset;
    if (opts.context !== undefined) kw.context = opts.context;
    const rows = await this.call(model, "search_read", { domain, ...kw }, [domain], kw);
    if (!Array.isArray(rows) || !rows.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))) {
      throw new OdooError("protocol", `${model}.search_read answered something other than a list of records`);
    }
    return rows as OdooRecord[];
  }

  async searchCount(model: string, domain: OdooValue[]): Promise<number> {
    const n = await this.call(model, "search_count", { domain }, [domain], {});
    if (typeof n !== "number" || !Number.isInteger(n)) throw new OdooError("protocol", `${model}.search_count answered no number`);
    return n;
  }

  /** One record; its id. */
  async create(model: string, vals: OdooRecord): Promise<number> {
    // JSON-2 answers the new records' ids; XML-RPC given one dict answers its id.
    const id = await this.call(model, "create", { vals_list: [vals] }, [vals], {});
    const first = Array.isArray(id) ? id[0] : id;
    if (typeof first !== "number" || !Number.isInteger(first)) throw new OdooError("protocol", `${model}.create answered no id`);
    return first;
  }

  async write(model: string, ids: number[], vals: OdooRecord): Promise<void> {
    await this.call(model, "write", { ids, vals }, [ids, vals], {});
  }

  /** The named fields of a model that exist, with their type. */
  async fieldTypes(model: string, fields: string[]): Promise<Map<string, string>> {
    const answer = await this.call(model, "fields_get", { allfields: fields, attributes: ["type"] }, [fields], { attributes: ["type"] });
    const out = new Map<string, string>();
    if (typeof answer !== "object" || answer === null || Array.isArray(answer)) throw new OdooError("protocol", `${model}.fields_get answered no fields`);
    for (const [name, spec] of Object.entries(answer)) {
      if (typeof spec === "object" && spec !== null && !Array.isArray(spec) && typeof spec.type === "string") out.set(name, spec.type);
    }
    return out;
  }

  /** Checks the credentials: the API key's user (JSON-2) or the login (XML-RPC) is accepted. */
  async authenticate(): Promise<void> {
    if ((await this.apiInUse()) === "xmlrpc") await this.xmlrpcUid();
    else await this.call("res.users", "context_get", {}, [], {});
  }

  private async apiInUse(): Promise<OdooApi> {
    if (this.learned.api !== null) return this.learned.api;
    try {
      await this.json2("res.users", "context_get", {});
      this.learned.api = "json2";
    } catch (e) {
      if (!(e instanceof NoJson2)) throw e;
      this.learned.api = "xmlrpc";
    }
    return this.learned.api;
  }

  private async call(model: string, method: string, named: OdooRecord, args: OdooValue[], kwargs: OdooRecord): Promise<OdooValue> {
    if ((await this.apiInUse()) === "json2") {
      try {
        return await this.json2(model, method, named);
      } catch (e) {
        if (e instanceof NoJson2) throw new OdooError("protocol", `${this.base}/json/2 does not exist: is this an Odoo 19 server? (else choose XML-RPC)`);
        throw e;
      }
    }
    const uid = await this.xmlrpcUid();
    return this.xmlrpc("object", "execute_kw", [this.conn.database, uid, this.conn.apiKey, model, method, args, kwargs]);
  }

  private async post(path: string, headers: Record<string, string>, body: string): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method: "POST",
        headers: { "User-Agent": this.conn.userAgent, ...headers },
        body,
        redirect: "manual",
        signal: this.signal === null ? AbortSignal.timeout(this.conn.timeoutMs) : AbortSignal.any([this.signal, AbortSignal.timeout(this.conn.timeoutMs)]),
      });
    } catch (e) {
      const why =
        e instanceof Error && e.name === "TimeoutError" ? `no answer within ${this.conn.timeoutMs} ms` : this.signal?.aborted ? "stopped" : e instanceof Error ? e.message : String(e);
      throw new OdooError("unavailable", `${this.base}${path}: ${why}`);
    }
  }

  private async text(res: Response, path: string): Promise<string> {
    const length = Number(res.headers.get("content-length") ?? "0");
    if (length > MAX_ANSWER_BYTES) throw new OdooError("protocol", `${path}: answer of ${length} bytes is too large`);
    try {
      const bytes = await res.arrayBuffer();
      if (bytes.byteLength > MAX_ANSWER_BYTES) throw new OdooError("protocol", `${path}: answer of ${bytes.byteLength} bytes is too large`);
      return new TextDecoder().decode(bytes);
    } catch (e) {
      if (e instanceof OdooError) throw e;
      throw new OdooError("unavailable", `${path}: the answer was cut off (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  private async json2(model: string, method: string, named: OdooRecord): Promise<OdooValue> {
    const path = `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
    const headers: Record<string, string> = {
      Authorization: `bearer ${this.conn.apiKey}`,
      "Content-Type": "application/json; charset=utf-8",
    };
    if (this.conn.database !== "") headers["X-Odoo-Database"] = this.conn.database;
    const res = await this.post(path, headers, JSON.stringify(named));
    const text = await this.text(res, path);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (res.status === 404) throw new NoJson2();
      throw new OdooError(res.status >= 500 ? "unavailable" : "protocol", `${path}: HTTP ${res.status} without JSON (${text.slice(0, 120).trim()})`);
    }
    if (res.ok) return body as OdooValue;
    const err = typeof body === "object" && body !== null ? (body as { name?: unknown; message?: unknown }) : {};
    const name = typeof err.name === "string" ? err.name : null;
    const message = typeof err.message === "string" && err.message !== "" ? err.message : `HTTP ${res.status}`;
    throw new OdooError(json2Kind(res.status, name), message, name);
  }

  private async xmlrpc(service: "common" | "object", method: string, args: OdooValue[]): Promise<OdooValue> {
    if (this.conn.database === "") throw new OdooError("auth", "this Odoo has no JSON-2: XML-RPC needs the database name (and the login)");
    const path = `/xmlrpc/2/${service}`;
    const res = await this.post(path, { "Content-Type": "text/xml" }, encodeCall(method, args));
    const text = await this.text(res, path);
    if (!res.ok) {
      throw new OdooError(res.status >= 500 ? "unavailable" : "protocol", `${path}: HTTP ${res.status}${res.status === 404 ? " (no XML-RPC at this URL)" : ""}`);
    }
    let answer: ReturnType<typeof decodeResponse>;
    try {
      answer = decodeResponse(text);
    } catch (e) {
      if (e instanceof XmlRpcError) throw new OdooError("protocol", `${path}: not an XML-RPC answer (${e.message})`);
      throw e;
    }
    if (answer.ok) return answer.value;
    const { faultCode, faultString } = answer.fault;
    // Code 1 carries a whole traceback: its last line is the error.
    const message = faultCode === 1 ? (faultString.trim().split("\n").pop() ?? faultString) : faultString;
    throw new OdooError(faultCode === 2 ? "refused" : faultCode === 3 ? "auth" : faultCode === 4 ? "access" : "unavailable", message);
  }

  private async xmlrpcUid(): Promise<number> {
    if (this.learned.uid !== null) return this.learned.uid;
    if (this.conn.login === "") throw new OdooError("auth", "this Odoo has no JSON-2: XML-RPC needs the login of the API key's user");
    const uid = await this.xmlrpc("common", "authenticate", [this.conn.database, this.conn.login, this.conn.apiKey, {}]);
    if (typeof uid !== "number" || uid <= 0) throw new OdooError("auth", `Odoo refused login ${JSON.stringify(this.conn.login)} with this API key on database ${JSON.stringify(this.conn.database)}`);
    this.learned.uid = uid;
    return uid;
  }
}

/** The server has no `/json/2` route (before Odoo 19): `auto` goes to XML-RPC. */
class NoJson2 extends Error {}

function json2Kind(status: number, name: string | null): OdooErrorKind {
  if (status === 401) return "auth";
  if (status === 403) return name === "odoo.exceptions.AccessDenied" ? "auth" : "access";
  if (status === 422 || status === 400) return "refused";
  if (status === 404) return "protocol";
  return status >= 500 ? "unavailable" : "protocol";
}
