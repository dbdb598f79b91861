import { createHash } from "node:crypto";

/**
 * The version of a credential as a terminal holds it: `setuserinfo` carries the name and admin
 * level with the data, so a change to any of them makes the terminal's copy stale.
 */
export function credentialDigest(name: string, admin: number, data: string): string {
  return createHash("sha256").update(`${admin}\n${name}\n`).update(data).digest("hex");
}

/**
 * A person a terminal holds by name alone (`setusername`, no credential): recorded among its
 * credentials under this backupnum, which no credential uses, so a holdings record needs no
 * table of its own and a renamed person's stale name is seen like a stale credential.
 */
export const NAME_ONLY = -1;

export const nameDigest = (name: string) => credentialDigest(name, 0, "");
