/**
 * Secrets we must use later (webhook auth headers, HMAC keys, HR source credentials) are sealed
 * with AES-256-GCM under a key kept in the data directory (`secret.key`, mode 0600). A stolen
 * database alone (a backup, a copied file) does not give them away.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dataDirLayout, SECRET_KEY_FILE } from "../store/data-dir.ts";
import { AppError } from "../lib/app-error.ts";

export { SECRET_KEY_FILE };
const VERSION = "v1";

/** A key or a sealed value we cannot use: the data directory's fault, not the caller's. */
const secretError = (message: string) => new AppError(500, "secret_key", message);

export class SecretBox {
  #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw secretError("the secret key must be 32 bytes");
    this.#key = key;
  }

  /** A key for another use (signing), so that the sealing key itself serves nothing else. */
  deriveKey(purpose: string): Buffer {
    return createHmac("sha256", this.#key).update(purpose).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  open(sealed: string): string {
    const [version, data] = sealed.split(":");
    if (version !== VERSION || !data) throw secretError("not a sealed secret");
    const raw = Buffer.from(data, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      throw secretError(`cannot open a sealed secret: was ${SECRET_KEY_FILE} replaced (in a cluster, every instance needs the same one)?`);
    }
  }
}

/** The data directory's key, created on first use. */
export function loadSecretBox(dataDir: string): SecretBox {
  const { dir, secretKey: file } = dataDirLayout(dataDir);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // "wx": two processes starting together must not both write a key; the loser reads the winner's.
    try {
      writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") throw err;
    }
    chmodSync(file, 0o600);
  }
  return new SecretBox(Buffer.from(readFileSync(file, "utf8").trim(), "base64"));
}
