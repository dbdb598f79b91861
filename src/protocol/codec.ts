/**
 * Frame decoding. Never throws on terminal input: a frame is either a terminal message or an
 * answer to one of our commands, or a reason it is neither.
 */
import { parseLenientJson } from "./access.ts";
import { MAX_DEPTH, nestsDeeperThan, normalize, TooDeep } from "./normalize.ts";

/** `body` is trimmed and ready for the schemas; `raw` is the frame as sent, for quarantine. */
export type Frame =
  | { ok: true; kind: "cmd" | "ret"; name: string; body: Record<string, unknown>; raw: Record<string, unknown> }
  | { ok: false; error: string };

const decoder = new TextDecoder("utf-8", { fatal: true });
/**
 * Some firmware answers with trailing commas (`getdevlock`, PROTOCOL.md §7). Such answers are
 * small; the character-by-character second try is kept off large frames, which are garbage.
 */
const LENIENT_MAX_CHARS = 64 * 1024;

export function decodeFrame(data: string | Uint8Array): Frame {
  let text: string;
  if (typeof data === "string") {
    text = data;
  } else {
    try {
      text = decoder.decode(data);
    } catch {
      return { ok: false, error: "binary frame is not UTF-8" };
    }
  }
  if (nestsDeeperThan(text, MAX_DEPTH)) return { ok: false, error: `frame is ${new TooDeep().message}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const lenient = text.length <= LENIENT_MAX_CHARS ? parseLenientJson(text) : null;
    if (!lenient?.ok) return { ok: false, error: "frame is not JSON" };
    parsed = lenient.value;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { ok: false, error: "frame is not a JSON object" };
  }
  const raw = parsed as Record<string, unknown>;
  let body: Record<string, unknown>;
  try {
    body = normalize(raw) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TooDeep) return { ok: false, error: `frame is ${err.message}` };
    throw err;
  }
  if (typeof body.ret === "string" && body.ret !== "") return { ok: true, kind: "ret", name: body.ret, body, raw };
  if (typeof body.cmd === "string" && body.cmd !== "") return { ok: true, kind: "cmd", name: body.cmd, body, raw };
  return { ok: false, error: "frame has neither cmd nor ret" };
}
