/**
 * XML-RPC (https://xmlrpc.com/spec.md) as Odoo speaks it on `/xmlrpc/2/*`: the fallback for Odoo
 * servers older than 19 (no `/json/2`). A small encoder and a strict decoder, no dependency. The
 * decoder never throws anything but `XmlRpcError`, whatever the bytes (a proxy's HTML error page,
 * a cut-off answer), and bounds its work: the caller bounds the text, the decoder the nesting.
 *
 * Values: an integer number is `<int>`, another number `<double>`, `null` is `<nil/>` (Odoo itself
 * answers `False` for empty fields; `<nil/>` is only decoded), `dateTime.iso8601` and `base64` are
 * decoded as their text.
 */

export type XmlRpcValue = string | number | boolean | null | XmlRpcValue[] | { [key: string]: XmlRpcValue };

export class XmlRpcError extends Error {
  override name = "XmlRpcError";
}

/** A `<fault>` answer: Odoo's code (1 application error, 2 warning/user error, 3 access denied, 4 access error) and text. */
export interface XmlRpcFault {
  faultCode: number;
  faultString: string;
}

export type XmlRpcResponse = { ok: true; value: XmlRpcValue } | { ok: false; fault: XmlRpcFault };

const MAX_DEPTH = 64;

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function encodeValue(v: XmlRpcValue, depth: number): string {
  if (depth > MAX_DEPTH) throw new XmlRpcError("value nested too deeply");
  if (v === null) return "<value><nil/></value>";
  if (typeof v === "boolean") return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new XmlRpcError(`cannot encode ${v}`);
    return Number.isInteger(v) ? `<value><int>${v}</int></value>` : `<value><double>${v}</double></value>`;
  }
  if (typeof v === "string") return `<value><string>${escapeText(v)}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map((x) => encodeValue(x, depth + 1)).join("")}</data></array></value>`;
  const members = Object.entries(v).map(([k, x]) => `<member><name>${escapeText(k)}</name>${encodeValue(x, depth + 1)}</member>`);
  return `<value><struct>${members.join("")}</struct></value>`;
}

const params = (values: readonly XmlRpcValue[]) => `<params>${values.map((v) => `<param>${encodeValue(v, 0)}</param>`).join("")}</params>`;

export function encodeCall(method: string, args: readonly XmlRpcValue[]): string {
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeText(method)}</methodName>${params(args)}</methodCall>`;
}

export function encodeResponse(value: XmlRpcValue): string {
  return `<?xml version="1.0"?>\n<methodResponse>${params([value])}</methodResponse>`;
}

export function encodeFault(fault: XmlRpcFault): string {
  return `<?xml version="1.0"?>\n<methodResponse><fault>${encodeValue({ faultCode: fault.faultCode, faultString: fault.faultString }, 0)}</fault></methodResponse>`;
}

interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code > 0x10ffff) throw new XmlRpcError(`bad character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const c = ENTITIES[ref];
    if (c === undefined) throw new XmlRpcError(`unknown entity ${whole}`);
    return c;
  });
}

/** The element tree of a document: declaration, comments and whitespace between elements skipped. */
function parseXml(xml: string): XmlNode {
  let i = 0;
  const stack: XmlNode[] = [];
  let root: XmlNode | null = null;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.length > 0) {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== "") throw new XmlRpcError("text outside the document element");
    }
    if (lt === -1) break;
    if (xml.startsWith("<?", lt)) {
      const end = xml.indexOf("?>", lt);
      if (end === -1) throw new XmlRpcError("unterminated declaration");
      i = end + 2;
      continue;
    }
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt);
      if (end === -1) throw new XmlRpcError("unterminated comment");
      i = end + 3;
      continue;
    }
    if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt);
      const top = stack[stack.length - 1];
      if (end === -1 || !top) throw new XmlRpcError("misplaced CDATA");
      top.text += xml.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf(">", lt);
    if (gt === -1) throw new XmlRpcError("unterminated tag");
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlRpcError(`unexpected </${name}>`);
      if (stack.length === 0) root = open;
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const name = (selfClosing ? tag.slice(0, -1) : tag).trim().split(/\s+/)[0] ?? "";
    if (!/^[A-Za-z_][\w.:-]*$/.test(name)) throw new XmlRpcError(`bad tag <${tag.slice(0, 40)}>`);
    if (root !== null) throw new XmlRpcError("content after the document element");
    const node: XmlNode = { name, children: [], text: "" };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    if (selfClosing) {
      if (!parent) root = node;
      continue;
    }
    if (stack.length >= MAX_DEPTH * 3) throw new XmlRpcError("document nested too deeply");
    stack.push(node);
  }
  if (stack.length > 0) throw new XmlRpcError(`<${stack[stack.length - 1]?.name}> is not closed`);
  if (root === null) throw new XmlRpcError("not an XML document");
  return root;
}

function only(node: XmlNode, name: string): XmlNode {
  const found = node.children.filter((c) => c.name === name);
  if (found.length !== 1 || !found[0]) throw new XmlRpcError(`<${node.name}> needs one <${name}>`);
  return found[0];
}

function decodeValue(node: XmlNode): XmlRpcValue {
  if (node.name !== "value") throw new XmlRpcError(`<value> expected, got <${node.name}>`);
  const typed = node.children[0];
  if (node.children.length === 0) return node.text;
  if (node.children.length > 1 || !typed) throw new XmlRpcError("<value> holds more than one value");
  const text = typed.text.trim();
  switch (typed.name) {
    case "i4":
    case "int":
    case "i8": {
      if (!/^[+-]?\d+$/.test(text)) throw new XmlRpcError(`bad integer ${JSON.stringify(text.slice(0, 40))}`);
      return Number(text);
    }
    case "boolean":
      if (text !== "0" && text !== "1") throw new XmlRpcError(`bad boolean ${JSON.stringify(text.slice(0, 40))}`);
      return text === "1";
    case "double": {
      const n = Number(text);
      if (text === "" || !Number.isFinite(n)) throw new XmlRpcError(`bad double ${JSON.stringify(text.slice(0, 40))}`);
      return n;
    }
    case "string":
      return typed.text;
    case "dateTime.iso8601":
    case "base64":
      return text;
    case "nil":
      return null;
    case "array":
      return only(typed, "data").children.map(decodeValue);
    case "struct": {
      const out: { [key: string]: XmlRpcValue } = {};
      for (const member of typed.children) {
        if (member.name !== "member") throw new XmlRpcError(`<member> expected, got <${member.name}>`);
        // Defined, not assigned: a member named "__proto__" from the other side must stay a member,
        // not replace the object's prototype.
        Object.defineProperty(out, only(member, "name").text, { value: decodeValue(only(member, "value")), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      throw new XmlRpcError(`unknown type <${typed.name}>`);
  }
}

function paramValues(node: XmlNode): XmlRpcValue[] {
  return node.children.map((p) => {
    if (p.name !== "param") throw new XmlRpcError(`<param> expected, got <${p.name}>`);
    return decodeValue(only(p, "value"));
  });
}

export function decodeResponse(xml: string): XmlRpcResponse {
  const root = parseXml(xml);
  if (root.name !== "methodResponse") throw new XmlRpcError(`<methodResponse> expected, got <${root.name}>`);
  const fault = root.children.find((c) => c.name === "fault");
  if (fault) {
    const v = decodeValue(only(fault, "value"));
    if (typeof v !== "object" || v === null || Array.isArray(v) || typeof v.faultCode !== "number" || typeof v.faultString !== "string") {
      throw new XmlRpcError("a fault needs faultCode and faultString");
    }
    return { ok: false, fault: { faultCode: v.faultCode, faultString: v.faultString } };
  }
  const values = paramValues(only(root, "params"));
  if (values.length !== 1) throw new XmlRpcError("a response holds exactly one value");
  return { ok: true, value: values[0] as XmlRpcValue };
}

export function decodeCall(xml: string): { method: string; args: XmlRpcValue[] } {
  const root = parseXml(xml);
  if (root.name !== "methodCall") throw new XmlRpcError(`<methodCall> expected, got <${root.name}>`);
  const method = only(root, "methodName").text.trim();
  const p = root.children.find((c) => c.name === "params");
  return { method, args: p ? paramValues(p) : [] };
}
