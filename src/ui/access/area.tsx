/**
 * The Access area of the admin UI (issue 16): one navigation item, a page per part, tabs between
 * them. A new part (passes, the door board) adds its tab here and its routes in pages/access.ts.
 */
export type AccessTab = "schedules" | "levels" | "passes";

const TABS: Array<{ id: AccessTab; href: string; label: string }> = [
  { id: "schedules", href: "/access/schedules", label: "Schedules" },
  { id: "levels", href: "/access/levels", label: "Levels" },
  { id: "passes", href: "/access/passes", label: "Passes" },
];

/** Where the navigation's "Access" goes. */
export const ACCESS_HOME = "/access/schedules";

export function AccessTabs({ active }: { active: AccessTab }) {
  return (
    <nav class="tabs" aria-label="Access">
      {TABS.map((t) => (
        <a href={t.href} class={t.id === active ? "tab active" : "tab"} aria-current={t.id === active ? "page" : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}
