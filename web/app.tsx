/** @jsxImportSource hono/jsx/dom */
/**
 * The admin UI's only script. Pages work as plain HTML forms; this adds the live dashboard
 * island, confirmation dialogs for destructive actions and the punch photo viewer. Islands are found by
 * `data-island` and read their props from `data-props` (JSON written by the server).
 */
import "./styles.css";
import { render } from "hono/jsx/dom";
import { LiveDashboard } from "./islands/live-dashboard.tsx";
import { installConfirmations } from "./islands/confirm.ts";
import { installPhotoViewer } from "./islands/photo-viewer.ts";
import type { DashboardProps } from "./components/live-types.ts";

function mountIslands() {
  for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const props = JSON.parse(el.dataset.props ?? "{}") as unknown;
    if (el.dataset.island === "live-dashboard") {
      el.replaceChildren();
      render(<LiveDashboard {...(props as DashboardProps)} />, el);
    }
  }
}

installConfirmations(document);
installPhotoViewer(document);
mountIslands();
