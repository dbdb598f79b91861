/** @jsxImportSource hono/jsx/dom */
/**
 * The admin UI's only script. Pages work as plain HTML forms; this adds the live dashboard,
 * Today, command and job progress islands, confirmation dialogs for destructive actions, the punch photo viewer, print buttons, the live door board, who is inside, search-as-you-type filter boxes, and a refused form's fields put back. Islands are found by
 * `data-island` and read their props from `data-props` (JSON written by the server).
 */
import "./styles.css";
import { render } from "hono/jsx/dom";
import { LiveDashboard } from "./islands/live-dashboard.tsx";
import { LiveToday } from "./islands/live-today.tsx";
import { LiveCommand, LiveJob } from "./islands/live-progress.tsx";
import { installConfirmations } from "./islands/confirm.ts";
import { installPhotoViewer } from "./islands/photo-viewer.ts";
import { installPrintButtons } from "./islands/print-button.ts";
import { installLiveDoors } from "./islands/live-doors.ts";
import { installLivePresence } from "./islands/live-presence.ts";
import { installRefill } from "./islands/refill.ts";
import { installSearchSuggest } from "./islands/search-suggest.ts";
import type { DashboardProps } from "./components/live-types.ts";
import type { TodayProps } from "./components/today-view.tsx";
import type { CommandProgressProps, JobProgressProps } from "./components/progress-view.tsx";

function mountIslands() {
  for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const props = JSON.parse(el.dataset.props ?? "{}") as unknown;
    if (el.dataset.island === "live-dashboard") {
      el.replaceChildren();
      render(<LiveDashboard {...(props as DashboardProps)} />, el);
    } else if (el.dataset.island === "live-today") {
      el.replaceChildren();
      render(<LiveToday {...(props as TodayProps)} />, el);
    } else if (el.dataset.island === "live-command") {
      el.replaceChildren();
      render(<LiveCommand {...(props as CommandProgressProps)} />, el);
    } else if (el.dataset.island === "live-job") {
      el.replaceChildren();
      render(<LiveJob {...(props as JobProgressProps)} />, el);
    }
  }
}

installConfirmations(document);
installPhotoViewer(document);
installPrintButtons(document);
installLiveDoors(document);
installLivePresence(document);
installRefill(document);
installSearchSuggest(document);
mountIslands();
