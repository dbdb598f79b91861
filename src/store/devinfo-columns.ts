import type { DevInfo } from "../protocol/index.ts";

/** The `devinfo` fields kept in their own terminal columns (both stores), plus the whole object as received. */
export const devinfoColumns = (d: DevInfo) => ({
  model: d.modelname ?? null,
  firmware: d.firmware ?? null,
  fpalgo: d.fpalgo ?? null,
  mac: d.mac ?? null,
  userSize: d.usersize ?? null,
  userUsed: d.useduser ?? null,
  fpSize: d.fpsize ?? null,
  fpUsed: d.usedfp ?? null,
  cardSize: d.cardsize ?? null,
  cardUsed: d.usedcard ?? null,
  pwdSize: d.pwdsize ?? null,
  pwdUsed: d.usedpwd ?? null,
  logSize: d.logsize ?? null,
  logUsed: d.usedlog ?? null,
  newlogUsed: d.usednewlog ?? null,
  faceSize: d.facesize ?? null,
  faceUsed: d.usedface ?? null,
  palmSize: d.palmsize ?? null,
  palmUsed: d.usedpalm ?? null,
  terminalTime: d.time ?? null,
  devinfo: JSON.stringify(d),
});
