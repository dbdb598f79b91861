/** The Timesheets area of the admin UI (issue 14): Today, people's months and days (with corrections and leave), the summary and print sheets, and the editors of departments, shifts, schedules, holidays, leave types and the punch rules. */
import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../env.ts";
import { dayChangeRoutes } from "./timesheet-day.tsx";
import { timesheetListPages } from "./timesheet-lists.tsx";
import { timesheetPeoplePages } from "./timesheet-people.tsx";
import { timesheetRebuildPages } from "./timesheet-rebuild.tsx";
import { timesheetRulePages } from "./timesheet-rules.tsx";
import { timesheetSchedulePages } from "./timesheet-schedules.tsx";
import { timesheetShiftPages } from "./timesheet-shifts.tsx";
import { timesheetSummaryPages } from "./timesheet-summary.tsx";
import { timesheetTodayPages } from "./timesheet-today.tsx";

export function timesheetPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.route("/", timesheetTodayPages(deps));
  app.route("/", timesheetPeoplePages(deps));
  app.route("/", timesheetSummaryPages(deps));
  app.route("/", dayChangeRoutes(deps));
  app.route("/", timesheetListPages(deps));
  app.route("/", timesheetShiftPages(deps));
  app.route("/", timesheetSchedulePages(deps));
  app.route("/", timesheetRulePages(deps));
  app.route("/", timesheetRebuildPages(deps));
  return app;
}
