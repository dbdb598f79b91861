/**
 * The first-run setup code: until an admin exists, anyone who reaches the UI could create one
 * (a visitor on the LAN, or a web page through DNS rebinding). The code is printed where only
 * whoever started the server can read it (its log and standard error), and /setup wants it.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

/** No 0/O or 1/I: it is read off a console and typed. 32 symbols, 5 bits each. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const LENGTH = 16;

/** 80 random bits, shown in groups of four: `ABCD-EFGH-JKLM-NPQR`. */
export function newSetupCode(): string {
  const chars = [...randomBytes(LENGTH)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  return chars.match(/.{4}/g)?.join("-") ?? chars;
}

const normalised = (code: string) => code.toUpperCase().replace(/[\s-]/g, "");

/** Whether what was typed is the code, ignoring case, spaces and dashes (compared in constant time). */
export function isSetupCode(typed: string | undefined, code: string): boolean {
  if (typed === undefined) return false;
  const a = Buffer.from(normalised(typed));
  const b = Buffer.from(normalised(code));
  return a.length === b.length && timingSafeEqual(a, b);
}
