/** The Access area of the admin UI (issue 16): schedules and levels; a person's levels and QR code are on their page, a terminal's access mode on its page. */
import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../env.ts";
import { accessLevelPages } from "./access-levels.tsx";
import { accessSchedulePages } from "./access-schedules.tsx";

export function accessPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.route("/", accessSchedulePages(deps));
  app.route("/", accessLevelPages(deps));
  return app;
}
