/** The Access area of the admin UI (issue 16): schedules, levels and visitor passes; a person's levels and QR code are on their page, a terminal's access mode on its page. */
import { Hono } from "hono";
import type { UiDeps, UiEnv } from "../env.ts";
import { accessLevelPages } from "./access-levels.tsx";
import { accessPassPages } from "./access-passes.tsx";
import { accessSchedulePages } from "./access-schedules.tsx";

export function accessPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.route("/", accessSchedulePages(deps));
  app.route("/", accessLevelPages(deps));
  app.route("/", accessPassPages(deps));
  return app;
}
