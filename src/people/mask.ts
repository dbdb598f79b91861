/**
 * What the API may show of a credential: never a PIN, never a whole card number, never the
 * template or photo itself (the size says that one is there).
 */
export type CredentialKind = "fingerprint" | "password" | "card" | "face" | "palm" | "photo" | "other";

export function credentialKind(backupnum: number): CredentialKind {
  if (backupnum >= 0 && backupnum <= 9) return "fingerprint";
  if (backupnum === 10) return "password";
  if (backupnum === 11) return "card";
  if (backupnum >= 20 && backupnum <= 27) return "face";
  if (backupnum >= 30 && backupnum <= 37) return "palm";
  if (backupnum === 50) return "photo";
  return "other";
}

/** A masked hint for passwords and cards; null for biometric data. */
export function maskedValue(backupnum: number, data: string): string | null {
  const kind = credentialKind(backupnum);
  if (kind === "password") return "****";
  if (kind === "card") return data.length <= 2 ? "**" : `${"*".repeat(data.length - 2)}${data.slice(-2)}`;
  return null;
}

export function credentialJson(backupnum: number, data: string) {
  return { backupnum, kind: credentialKind(backupnum), size: data.length, masked: maskedValue(backupnum, data) };
}

/** Command params or answers carrying a credential's `record`: masked the same way. */
export function redactRecord(value: Record<string, unknown>): Record<string, unknown> {
  if (typeof value.record !== "string") return value;
  const backupnum = Number(value.backupnum);
  return { ...value, record: maskedValue(backupnum, value.record) ?? `[${value.record.length} characters]` };
}
