/**
 * WCAG AA contrast of the admin UI's style sheet, read from web/styles.css itself: every rule that
 * sets a text colour and a background (badges, flashes, alerts, buttons) reaches 4.5:1, and every
 * rule that sets only a text colour reaches it on the page and panel backgrounds (on the dark
 * sidebar for the sidebar's own rules). A new badge or colour that falls short fails here.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const CSS = readFileSync(resolve(import.meta.dir, "../../web/styles.css"), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
const AA = 4.5;

/** The innermost rules (selector → declarations); @media blocks contribute their inner rules. */
function rules(css: string): Array<{ selector: string; decls: Map<string, string> }> {
  return [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => ({
    selector: (m[1] ?? "").trim(),
    decls: new Map(
      (m[2] ?? "")
        .split(";")
        .map((d) => d.split(":"))
        .filter((p) => p.length >= 2)
        .map(([k, ...v]) => [(k ?? "").trim(), v.join(":").trim()]),
    ),
  }));
}

const all = rules(CSS);
const root = all.find((r) => r.selector === ":root");
if (!root) throw new Error("styles.css has no :root block");

/** A colour value as #rrggbb, resolving var(--x); null for anything else (inherit, rgba, gradients). */
function hex(value: string | undefined): string | null {
  if (!value) return null;
  const v = value.match(/^var\((--[\w-]+)\)$/);
  if (v) return hex(root?.decls.get(v[1] ?? ""));
  const short = value.match(/^#([0-9a-f])([0-9a-f])([0-9a-f])$/i);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase();
  return /^#[0-9a-f]{6}$/i.test(value) ? value.toLowerCase() : null;
}

function luminance(color: string): number {
  const n = Number.parseInt(color.slice(1), 16);
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

const must = (v: string | undefined) => {
  const c = hex(v);
  if (!c) throw new Error(`not a colour: ${v}`);
  return c;
};
const pageBackgrounds = [must("var(--bg)"), must("var(--panel)")];
const sideBackgrounds = [must("var(--side)"), must("var(--side-active)")];
/** Rules that style the dark sidebar (not .brand-large, the light login card's brand). */
const onSidebar = (selector: string) => /\.(sidebar|nav|link-button|brand(?!-large))\b/.test(selector);

/** Every (rule, foreground, background) pair the style sheet puts text on. */
const pairs = all.flatMap(({ selector, decls }) => {
  const fg = hex(decls.get("color"));
  if (!fg) return [];
  const bg = hex(decls.get("background") ?? decls.get("background-color"));
  const against = bg ? [bg] : onSidebar(selector) ? sideBackgrounds : pageBackgrounds;
  return against.map((b) => ({ selector, fg, bg: b, ratio: contrast(fg, b) }));
});

describe("colour contrast (WCAG AA) of web/styles.css", () => {
  test("the ratio is computed as WCAG defines it", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });

  test("the sheet's badges are all checked against their own background", () => {
    const badges = pairs.filter((p) => p.selector.startsWith(".badge-")).map((p) => p.selector);
    expect(badges).toEqual([".badge-ok", ".badge-warn", ".badge-error", ".badge-muted", ".badge-info"]);
  });

  test("every text colour reaches 4.5:1 on its background", () => {
    expect(pairs.length).toBeGreaterThan(40);
    const failing = pairs.filter((p) => p.ratio < AA).map((p) => `${p.selector}: ${p.fg} on ${p.bg} is ${p.ratio.toFixed(2)}:1`);
    expect(failing).toEqual([]);
  });
});
