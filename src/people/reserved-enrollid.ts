import { isPlaceholderEnrollid } from "../protocol/index.ts";

/**
 * Why no person may be given this enroll id, without the field's name (each door names it its own
 * way), or null. The terminals write 99999998 and 99999999 on scans of nobody enrolled (PROTOCOL.md
 * §7.5): a person under one could never punch, and the scans would be read as theirs. A person an
 * older version stored under one keeps working; only a new one is refused.
 */
export function reservedEnrollid(enrollid: number): string | null {
  return isPlaceholderEnrollid(enrollid) ? `${enrollid} is reserved by the terminals for scans of nobody enrolled` : null;
}
