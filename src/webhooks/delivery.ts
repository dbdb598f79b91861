/**
 * One POST of one batch. Any 2xx is success, whatever the body says (receivers answer all sorts
 * of things; de-duplication is theirs, by record id). Everything else is a failure, and most
 * failures are worth retrying: only an explicit "this payload is wrong" is final.
 */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborted when the server stops. */
  signal?: AbortSignal;
}

export type DeliveryResult = { ok: true; status: number } | { ok: false; retryable: boolean; error: string };

/** The receiver says the payload itself is unacceptable: sending it again cannot help. */
const FINAL_STATUSES = new Set([400, 413, 415, 422]);
const EXCERPT_CHARS = 200;

export async function deliver(req: DeliveryRequest): Promise<DeliveryResult> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body, signal, redirect: "manual" });
  } catch (err) {
    if (timeout.aborted) return { ok: false, retryable: true, error: `timed out after ${req.timeoutMs} ms` };
    return { ok: false, retryable: true, error: `request failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => {});
    return { ok: true, status: res.status };
  }
  let excerpt = "";
  try {
    excerpt = (await res.text()).slice(0, EXCERPT_CHARS).replace(/\s+/g, " ").trim();
  } catch {
    // The status says enough.
  }
  const where = res.status >= 300 && res.status < 400 ? ` (redirect to ${res.headers.get("location") ?? "?"}: update the URL)` : "";
  return {
    ok: false,
    retryable: !FINAL_STATUSES.has(res.status),
    error: `HTTP ${res.status}${where}${excerpt ? `: ${excerpt}` : ""}`,
  };
}
