import { createHash } from "node:crypto";

/**
 * The version of a credential as a terminal holds it: `setuserinfo` carries the name and admin
 * level with the data, so a change to any of them makes the terminal's copy stale.
 */
export function credentialDigest(name: string, admin: number, data: string): string {
  return createHash("sha256").update(`${admin}\n${name}\n`).update(data).digest("hex");
}
