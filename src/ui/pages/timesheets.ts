/** The Timesheets area of the admin UI (issue 14): Today, people's months and days, the summary and print sheets. */
import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../env.ts";
import { timesheetPeoplePages } from "./timesheet-people.tsx";
import { timesheetSummaryPages } from "./timesheet-summary.tsx";
import { timesheetTodayPages } from "./timesheet-today.tsx";

export function timesheetPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.route("/", timesheetTodayPages(deps));
  app.route("/", timesheetPeoplePages(deps));
  app.route("/", timesheetSummaryPages(deps));
  return app;
}
