export * from "./answers.ts";
export * from "./codec.ts";
export * from "./messages.ts";
export * from "./time.ts";
export * from "./commands.ts";
export * from "./access.ts";
