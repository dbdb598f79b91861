export * from "./calendar.ts";
export * from "./compile.ts";
export * from "./decide.ts";
export * from "./diff.ts";
export * from "./model.ts";
export * from "./terminal-rules.ts";
export * from "./windows.ts";
export * from "./qr.ts";
