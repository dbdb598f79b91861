export * from "./assign.ts";
export * from "./calendar.ts";
export * from "./day.ts";
export * from "./period.ts";
export * from "./plan.ts";
export * from "./schedule.ts";
export * as timesheetSchemas from "./schemas.ts";
export * from "./summary.ts";
export * from "./types.ts";
