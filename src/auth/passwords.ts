/** Admin passwords: argon2id through Bun.password (salted, memory-hard; the hash names its parameters). */
import { z } from "zod";

export const passwordSchema = z
  .string()
  .min(10, "use at least 10 characters")
  .max(200, "use at most 200 characters");

export const usernameSchema = z
  .string()
  .trim()
  .min(1, "enter a user name")
  .max(64, "use at most 64 characters")
  .regex(/^[\p{L}\p{N}._@-]+$/u, "use letters, digits and . _ @ - only");

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    return false;
  }
}

/**
 * A hash to verify against when the user does not exist, so a login for an unknown name takes
 * as long as one for a known name and does not reveal which names exist.
 */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword("no such user, constant-time filler");
  return dummy;
}
