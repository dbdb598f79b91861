/** The server's answers to terminal messages, exactly as PROTOCOL.md §3 shapes them. */

export function regAccepted(cloudtime: string, nosenduser: boolean) {
  return { ret: "reg", result: true, cloudtime, nosenduser };
}

export function regRefused(reason: string) {
  return { ret: "reg", result: false, reason };
}

/** `count` and `logindex` go back exactly as received, whatever their type. */
/** `door`: the server's decision for a terminal in server mode (PROTOCOL.md §7.5); absent: `access:1`, the unit decides. */
export function sendlogAnswer(ok: boolean, count: unknown, logindex: unknown, cloudtime: string, door?: { access: 0 | 1; message: string }) {
  return ok
    ? { ret: "sendlog", result: true, count, logindex, cloudtime, access: door?.access ?? 1, ...(door ? { message: door.message } : {}) }
    : { ret: "sendlog", result: false, reason: 1, count, logindex };
}

export function senduserAnswer(ok: boolean, cloudtime: string) {
  return ok ? { ret: "senduser", result: true, cloudtime } : { ret: "senduser", result: false, reason: 1 };
}

export function qrcodeAnswer(access: boolean, enrollid: number, username: string, message: string) {
  return { ret: "sendqrcode", result: true, access: access ? 1 : 0, enrollid, username, message };
}

export function failure(name: string) {
  return { ret: name, result: false, reason: 1 };
}

export function gettimeCommand() {
  return { cmd: "gettime" };
}
