/**
 * A terminal's hardware identity, as PROTOCOL.md §3 carries it: `cpusn` beside the sn, and
 * devinfo's `mac`. The protocol has no secret, so this is what tells a replaced unit or an
 * impostor from the terminal that was approved. Both store engines judge a registration by it.
 */
export interface HardwareIdentity {
  cpusn: string | null;
  mac: string | null;
}

/** Firmware writes MACs as 00-01-F5-… or 00:01:f5:…: compared without separators and case. */
const macKey = (mac: string) => mac.toLowerCase().replace(/[^0-9a-z]/g, "");

const present = (v: string | null): v is string => v !== null && v !== "";

/** True when a field both carry differs: a terminal that never sent a field is not judged on it (it is learned when first sent). */
export function identityDiffers(known: HardwareIdentity, seen: HardwareIdentity): boolean {
  if (present(known.cpusn) && present(seen.cpusn) && known.cpusn !== seen.cpusn) return true;
  return present(known.mac) && present(seen.mac) && macKey(known.mac) !== macKey(seen.mac);
}
