/**
 * Timesheets → Rules: how punches are read, for the whole site (double-scan window, first in /
 * last out or pairs, the default reading of in/out) and per terminal (trust its in/out, pair in
 * order, entry only, exit only). A change recomputes the last year (updateSiteRules,
 * setTerminalInterpretation in src/app/timesheets/).
 */
import { Hono } from "hono";
import { z } from "zod";
import { setTerminalInterpretation, updateSiteRules } from "../../app/timesheets/rules.ts";
import type { PunchInterpretation, SiteRules } from "../../timesheets/types.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { Field, Pager, SearchForm } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { TimesheetTabs } from "../timesheets/area.tsx";
import { FormReader } from "../timesheets/form.ts";

/** Terminals per page of the per-terminal in/out list. */
const TERMINALS_PAGE = 50;

const READINGS: Array<[PunchInterpretation, string]> = [
  ["pair", "Pair in order (ignore in/out)"],
  ["trust", "Trust the terminal's in/out"],
  ["entry", "Entry only (every punch is an in)"],
  ["exit", "Exit only (every punch is an out)"],
];
const KINDS = READINGS.map(([k]) => k);

function ReadingSelect({ id, name, value, label, withDefault }: { id: string; name: string; value: string; label: string; withDefault?: boolean }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        {withDefault ? <option value="">The site's default</option> : null}
        {READINGS.map(([k, text]) => (
          <option value={k} selected={value === k}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function SiteRulesForm({ rules, admin, csrf }: { rules: SiteRules; admin: boolean; csrf: string }) {
  return (
    <form method="post" action="/timesheets/rules" class="panel ts-form" aria-label="Site rules">
      <h2>Site</h2>
      <CsrfField token={csrf} />
      <fieldset disabled={!admin} class="plain-fieldset">
        <div class="ts-grid">
          <Field label="Double-scan window (seconds)" name="doubleScanSeconds" type="number" min={0} max={3600} value={rules.doubleScanSeconds} hint="A person's repeated punches inside it count once." />
          <div class="field">
            <label for="f-calculation">Worked time</label>
            <select id="f-calculation" name="calculation">
              <option value="first_last" selected={rules.calculation === "first_last"}>
                First in to last out
              </option>
              <option value="paired" selected={rules.calculation === "paired"}>
                Sum of in/out pairs
              </option>
            </select>
          </div>
          <ReadingSelect id="f-defaultInterpretation" name="defaultInterpretation" value={rules.defaultInterpretation} label="Terminals' in/out, by default" />
        </div>
        {admin ? (
          <div>
            <button type="submit" class="btn btn-primary">
              Save rules
            </button>
          </div>
        ) : null}
      </fieldset>
    </form>
  );
}

/** Each terminal's reading of in/out, a page of them with a search. */
function TerminalRules(props: { rules: SiteRules; terminals: ReadonlyArray<{ sn: string; name: string | null }>; q: string; query: URLSearchParams; next: string | null; admin: boolean; csrf: string }) {
  const { rules, terminals, q, admin, csrf } = props;
  return (
    <section class="panel" aria-label="Terminals">
      <h2>Terminals</h2>
      <SearchForm action="/timesheets/rules" q={q} placeholder="serial number, name or location" />
      {terminals.map((t) => (
        <form method="post" action={`/timesheets/rules/terminals/${encodeURIComponent(t.sn)}`} class="inline-fields" data-terminal={t.sn}>
          <CsrfField token={csrf} />
          <ReadingSelect id={`f-t-${t.sn}`} name="interpretation" value={rules.terminals[t.sn] ?? ""} label={t.name ? `${t.name} (${t.sn})` : t.sn} withDefault />
          {admin ? (
            <button type="submit" class="btn btn-plain">
              Save
            </button>
          ) : null}
        </form>
      ))}
      <Pager base="/timesheets/rules" query={props.query} next={props.next} shown={terminals.length} order="key" />
    </section>
  );
}

export function timesheetRulePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.get("/timesheets/rules", async (c) => {
    // A page of the terminals, searched: a site of 20,000 is not 20,000 forms (issue 13).
    const q = z.string().trim().max(64).catch("").parse(c.req.query("q") ?? "");
    const load = (cursor: string | undefined) => deps.store.terminalsPage({ q, ...(cursor ? { cursor } : {}), limit: TERMINALS_PAGE });
    const [rules, { page: shown, query }] = await Promise.all([deps.store.timesheets.siteRules(), pageFromQuery(c.req.query("cursor"), load, q ? { q } : {})]);
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    return page(
      c,
      deps.settings.siteName,
      { title: "Timesheets", active: "timesheets" },
      <>
        <TimesheetTabs active="rules" />
        <SiteRulesForm rules={rules} admin={admin} csrf={csrf} />
        {shown.items.length > 0 || q || query.has("cursor") ? <TerminalRules rules={rules} terminals={shown.items} q={q} query={query} next={shown.next} admin={admin} csrf={csrf} /> : null}
      </>,
    );
  });
  app.post("/timesheets/rules", requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const doubleScanSeconds = f.int("doubleScanSeconds", "Double-scan window (seconds)", 0, 3600, true);
    const calculation = f.choice("calculation", "Worked time", ["first_last", "paired"] as const);
    const defaultInterpretation = f.choice("defaultInterpretation", "Terminals' in/out, by default", KINDS);
    if (f.problem) return redirectWith(c, "/timesheets/rules", "error", f.problem);
    await updateSiteRules(deps.timesheets, actorOf(c), { doubleScanSeconds, calculation, defaultInterpretation });
    return redirectWith(c, "/timesheets/rules", "ok", "Rules saved; the last year's days are being recomputed.");
  });
  app.post("/timesheets/rules/terminals/:sn", requireAdmin(), async (c) => {
    const sn = c.req.param("sn") ?? "";
    const value = (await formOf(c)).interpretation ?? "";
    const f = new FormReader({ interpretation: value });
    const how = value === "" ? null : (f.choice("interpretation", sn, KINDS) ?? null);
    if (f.problem) return redirectWith(c, "/timesheets/rules", "error", f.problem);
    await setTerminalInterpretation(deps.timesheets, actorOf(c), sn, how);
    return redirectWith(c, "/timesheets/rules", "ok", `${sn}: ${how === null ? "the site's default" : (READINGS.find(([k]) => k === how)?.[1] ?? how)}.`);
  });
  return app;
}
