/**
 * A person's access on their page (issue 16): the levels they hold (checkboxes) and their issued
 * QR code (generate a new one, which replaces any earlier; revoke). The same use cases as the
 * REST API (app/access.ts), so the same audit entries. The code is shown once, right after it is
 * issued: the POST answers with a printable page of it (no redirect, so the code is in no URL and
 * no flash cookie, and the page is no-store like every page); the store keeps it for the decision,
 * the pages never show it again.
 */
import { Hono } from "hono";
import { raw } from "hono/html";
import { qrSvg } from "../../access/qr.ts";
import { issueQrCode, personAccess, revokeQrCode, setPersonAccess } from "../../app/access.ts";
import { ActionButton, Badge } from "../components.tsx";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { idParam } from "../timesheets/area.tsx";

const href = (id: number) => `/people/${id}`;

export async function PersonAccessPanel({ deps, enrollid, csrf }: { deps: UiDeps; enrollid: number; csrf: string | null }) {
  const [access, levels] = await Promise.all([personAccess(deps.access, enrollid), deps.store.access.levels()]);
  const held = new Set(access.levelIds);
  return (
    <section class="panel" aria-labelledby="access-title">
      <h2 id="access-title">Access</h2>
      {csrf && levels.length > 0 ? (
        <form method="post" action={`${href(enrollid)}/access`} class="stack">
          <CsrfField token={csrf} />
          <fieldset class="plain-fieldset">
            <legend class="label">Access levels</legend>
            <div class="checks">
              {levels.map((l) => (
                <label>
                  <input type="checkbox" name="levelId" value={String(l.id)} checked={held.has(l.id)} /> {l.name}
                </label>
              ))}
            </div>
          </fieldset>
          <div>
            <button type="submit" class="btn btn-plain">
              Save levels
            </button>
          </div>
        </form>
      ) : levels.length === 0 ? (
        <p class="muted">
          No access levels yet{csrf ? <>: <a href="/access/levels/new">add one</a></> : null}.
        </p>
      ) : (
        <p data-levels="">{levels.filter((l) => held.has(l.id)).map((l) => l.name).join(", ") || <span class="muted">No level: opens no door where the server decides.</span>}</p>
      )}
      <h3 class="kv-heading">QR code</h3>
      <p>
        {access.qrCode ? <Badge tone="ok">Issued</Badge> : <Badge tone="muted">None</Badge>}{" "}
        <span class="muted">A scanned code opens only if it is exactly the code issued here; an enroll id or printed number never does.</span>
      </p>
      {csrf ? (
        <div class="inline-fields">
          <ActionButton
            action={`${href(enrollid)}/qr-code`}
            csrf={csrf}
            label={access.qrCode ? "Generate a new QR code" : "Generate a QR code"}
            tone="plain"
            {...(access.qrCode ? { confirm: "Generate a new code? The current one stops opening doors." } : {})}
          />
          {access.qrCode ? <ActionButton action={`${href(enrollid)}/qr-code/delete`} csrf={csrf} label="Revoke QR code" tone="danger" confirm="Revoke this person's QR code? It stops opening doors at once." /> : null}
        </div>
      ) : null}
    </section>
  );
}

const SHOWN_ONCE = "QR code issued (shown only now: print this page or send the code to the person; it is never shown again).";

/** The code just issued, to print or send: the pass page's card (and its print layout) for a person. */
function IssuedCode({ enrollid, name, code }: { enrollid: number; name: string; code: string }) {
  return (
    <>
      <section class="panel pass-card" aria-label="QR code">
        <div class="pass-qr" data-person-qr="">
          {raw(qrSvg(code))}
        </div>
        <div class="pass-text">
          <h2 class="pass-name">{name || `Person ${enrollid}`}</h2>
          <dl class="kv">
            <dt>Enroll id</dt>
            <dd>{enrollid}</dd>
            <dt>Code</dt>
            <dd>
              <code class="pass-code" data-code="">{code}</code>
            </dd>
          </dl>
          <p class="hint">Show this code to a door's reader.</p>
        </div>
      </section>
      <p class="no-print">
        <a href={href(enrollid)}>Back to {name || `person ${enrollid}`}</a> <span class="muted small">Print this page: the menu and buttons are left off the paper.</span>
      </p>
    </>
  );
}

export function personAccessPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  app.post("/people/:id/access", requireAdmin(), async (c) => {
    const id = idParam(c);
    const levelIds = (await c.req.formData())
      .getAll("levelId")
      .map(String)
      .slice(0, 1_000)
      .map((v) => (/^\d{1,10}$/.test(v) ? Number(v) : 0));
    const saved = await setPersonAccess(deps.access, actorOf(c), id, { levelIds });
    return redirectWith(c, href(id), "ok", saved.levelIds.length === 0 ? "Access levels saved: none." : `Access levels saved (${saved.levelIds.length}).`);
  });

  app.post("/people/:id/qr-code", requireAdmin(), async (c) => {
    const { enrollid, code } = await issueQrCode(deps.access, actorOf(c), idParam(c));
    const name = (await deps.store.getPerson(enrollid))?.name ?? "";
    const actions = (
      <a class="btn btn-plain" href={href(enrollid)}>
        Back to the person
      </a>
    );
    return page(c, deps.settings.siteName, { title: "QR code issued", active: "people", actions, flash: { kind: "ok", text: SHOWN_ONCE } }, <IssuedCode enrollid={enrollid} name={name} code={code} />);
  });

  app.post("/people/:id/qr-code/delete", requireAdmin(), async (c) => {
    const id = idParam(c);
    await revokeQrCode(deps.access, actorOf(c), id);
    return redirectWith(c, href(id), "ok", "QR code revoked.");
  });

  return app;
}
