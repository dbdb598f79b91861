/** The page shell: dark sidebar, header, flash message, content. Everything else is a page. */
import type { Context } from "hono";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import type { AdminUserRow } from "../store/schema.ts";
import { assetUrls } from "./assets.ts";
import { CSRF_FIELD } from "./auth-guard.ts";
import type { UiEnv } from "./env.ts";
import { type Flash, takeFlash } from "./flash.ts";
import { CommandProgress, commandProgressOf } from "./live-progress.tsx";

export type Section = "dashboard" | "terminals" | "groups" | "people" | "attendance" | "timesheets" | "access" | "doors" | "door-events" | "quarantine" | "integrations" | "audit" | "settings" | "account";

const NAV: Array<{ id: Section; href: string; label: string }> = [
  { id: "dashboard", href: "/", label: "Dashboard" },
  { id: "terminals", href: "/terminals", label: "Terminals" },
  { id: "groups", href: "/groups", label: "Groups" },
  { id: "people", href: "/people", label: "People" },
  { id: "attendance", href: "/attendance", label: "Attendance" },
  { id: "timesheets", href: "/timesheets", label: "Timesheets" },
  { id: "access", href: "/access", label: "Access" },
  { id: "doors", href: "/doors", label: "Doors" },
  { id: "door-events", href: "/door-events", label: "Door events" },
  { id: "quarantine", href: "/quarantine", label: "Quarantine" },
  { id: "integrations", href: "/integrations", label: "Integrations" },
  { id: "audit", href: "/audit", label: "Audit log" },
  { id: "settings", href: "/settings", label: "Settings" },
];

function Document(props: { title: string; siteName: string; csrf?: string; bodyClass?: string; refreshSeconds?: number; refreshTo?: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.csrf ? <meta name="csrf-token" content={props.csrf} /> : null}
        {props.refreshSeconds ? <meta http-equiv="refresh" content={props.refreshTo ? `${props.refreshSeconds}; url=${props.refreshTo}` : String(props.refreshSeconds)} /> : null}
        <title>{`${props.title} · ${props.siteName}`}</title>
        <link rel="icon" href={assetUrls.icon} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrls.css} />
        <script type="module" src={assetUrls.js} defer />
      </head>
      <body class={props.bodyClass}>{props.children}</body>
    </html>
  );
}

export function FlashMessage({ flash }: { flash: Flash | null }) {
  if (!flash) return null;
  return (
    <div class={`flash flash-${flash.kind}`} role={flash.kind === "error" ? "alert" : "status"} data-refill={flash.form ? JSON.stringify(flash.form) : undefined}>
      {flash.text}
      {flash.link ? (
        <>
          {" "}
          <a href={flash.link.href}>{flash.link.text}</a>
        </>
      ) : null}
      {flash.command ? (
        <div class="flash-command">
          <CommandProgress {...commandProgressOf({ id: flash.command.id, status: "queued", reason: null, attempts: 0 }, flash.command.label)} />
        </div>
      ) : null}
    </div>
  );
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

function Sidebar({ active, user, csrf, siteName }: { active: Section; user: AdminUserRow; csrf: string; siteName: string }) {
  return (
    <nav class="sidebar" aria-label="Main">
      <a class="brand" href="/">
        <span class="brand-mark" aria-hidden="true">
          TM
        </span>
        <span class="brand-name">{siteName}</span>
      </a>
      <ul class="nav">
        {NAV.map((n) => (
          <li>
            <a href={n.href} class={n.id === active ? "active" : undefined} aria-current={n.id === active ? "page" : undefined}>
              {n.label}
            </a>
          </li>
        ))}
      </ul>
      <div class="sidebar-user">
        <a href="/account" class={active === "account" ? "active" : undefined}>
          {user.username} <span class="role">{user.role}</span>
        </a>
        <form method="post" action="/logout">
          <CsrfField token={csrf} />
          <button type="submit" class="link-button">
            Log out
          </button>
        </form>
      </div>
    </nav>
  );
}

export interface PageOptions {
  title: string;
  active: Section;
  /** Right side of the page header (buttons). */
  actions?: Child;
  flash?: Flash | null;
  /** Reloads the page while something it shows is still moving (job progress). */
  refreshSeconds?: number;
  /** Where that reload goes (a same-site path), when not to the page itself. */
  refreshTo?: string;
}

/** Renders a full page for the logged-in user; takes the pending flash message unless one is given. */
export function page(c: Context<UiEnv>, siteName: string, options: PageOptions, content: Child, status: 200 | 201 | 400 | 404 | 409 = 200) {
  const user = c.get("user");
  const csrf = c.get("session").csrfToken;
  const flash = options.flash === undefined ? takeFlash(c) : options.flash;
  const body = (
    <Document title={options.title} siteName={siteName} csrf={csrf} refreshSeconds={options.refreshSeconds} refreshTo={options.refreshTo}>
      {/* First in the tab order, so a keyboard or screen-reader user can pass the navigation. */}
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <div class="shell">
        <Sidebar active={options.active} user={user} csrf={csrf} siteName={siteName} />
        <main class="main" id="main" tabindex={-1}>
          <header class="page-header">
            <h1>{options.title}</h1>
            {options.actions ? <div class="page-actions">{options.actions}</div> : null}
          </header>
          <FlashMessage flash={flash} />
          {content}
        </main>
      </div>
    </Document>
  );
  return c.html(html`<!doctype html>${body}`, status, { "cache-control": "no-store" });
}

/** The login and first-admin pages: a centred card, no navigation. */
export function barePage(c: Context, siteName: string, title: string, content: Child, status: 200 | 400 | 403 | 429 = 200) {
  const body = (
    <Document title={title} siteName={siteName} bodyClass="bare">
      <main class="auth-card">
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true">
            TM
          </span>
          <span class="brand-name">{siteName}</span>
        </div>
        {content}
      </main>
    </Document>
  );
  return c.html(html`<!doctype html>${body}`, status, { "cache-control": "no-store" });
}

/** A page made for paper (the monthly sheets): no navigation; the print style sheet sets one sheet per page. */
export function printPage(c: Context<UiEnv>, siteName: string, title: string, content: Child) {
  const body = (
    <Document title={title} siteName={siteName} bodyClass="print">
      <main class="print-main">{content}</main>
    </Document>
  );
  return c.html(html`<!doctype html>${body}`, 200, { "cache-control": "no-store" });
}

/** A print page's bar above the sheets, left off the paper: Print, Back, and a note. */
export function PrintBar(props: { back: string; children?: Child }) {
  return (
    <p class="no-print print-bar">
      <button type="button" class="btn btn-primary" data-print>
        Print
      </button>{" "}
      <a class="btn btn-plain" href={props.back}>
        Back
      </a>
      {props.children ? (
        <>
          {" "}
          {props.children}
        </>
      ) : null}
    </p>
  );
}
