/**
 * Settings → Notifications: which alerts reach people who are not looking, by e-mail and as webhook
 * events. The form's view and its reading; settings.tsx posts it to the use case (app/notifications.ts).
 */
import { ALERT_KINDS, type AlertKind } from "../../alerts/model.ts";
import type { NotificationView } from "../../alerts/notify-settings.ts";
import { Field } from "../components.tsx";
import { CsrfField } from "../layout.tsx";

const KIND_LABELS: Record<AlertKind, string> = {
  store_failing: "Store failing (uploads refused)",
  terminal_offline: "Terminal offline",
  terminal_pending: "Terminal waiting for approval",
  hardware_mismatch: "Terminal hardware differs from the approved one",
  held_changes: "Changes from terminals waiting for approval",
  clock_drift: "Terminal clock off",
  storage_nearly_full: "Terminal nearly full",
  webhook_failing: "Webhook failing",
  export_lagging: "PostgreSQL export failing",
  door_forced_open: "Door forced open",
  refused_punches: "Burst of refused punches at a door",
  door_held_open: "Door held open",
  tamper: "Tamper alarm",
  input_alarm: "Input alarm",
  quarantine_spike: "Quarantine spike",
  access_not_fit: "Access rules do not fit a terminal",
};

/** The form's fields as the use case's input (checkboxes are "on" when ticked; recipients comma- or line-separated). */
export function notificationForm(f: Record<string, string>): unknown {
  const on = (name: string) => f[name] === "on";
  return {
    kinds: ALERT_KINDS.filter((k) => on(`kind_${k}`)),
    quietSeconds: f.quietSeconds ?? "",
    notifyResolved: on("notifyResolved"),
    dailyDigestAt: (f.dailyDigestAt ?? "").trim(),
    linkBase: (f.linkBase ?? "").trim(),
    email: {
      enabled: on("emailEnabled"),
      host: f.smtpHost ?? "",
      port: f.smtpPort ?? "",
      security: f.smtpSecurity ?? "",
      username: f.smtpUsername ?? "",
      // Empty keeps the saved password; the box removes it.
      ...(on("smtpPasswordRemove") ? { password: "" } : f.smtpPassword ? { password: f.smtpPassword } : {}),
      from: (f.smtpFrom ?? "").trim(),
      to: (f.smtpTo ?? "").split(/[,;\s]+/).filter((a) => a !== ""),
    },
    webhook: { enabled: on("webhookEnabled") },
  };
}

export function NotificationsPanel({ view: v, admin, csrf }: { view: NotificationView; admin: boolean; csrf: string }) {
  return (
    <section class="panel" aria-labelledby="notifications-h">
      <h2 id="notifications-h">Notifications</h2>
      <p class="muted">
        Alerts (the dashboard's list) reach people who are not looking: by e-mail, and as an <span class="mono">alert</span> event to the webhook
        destinations that send "Alerts". Several alerts due together go out as one message.
      </p>
      <form method="post" action="/settings/notifications" class="stack form-grid">
        <CsrfField token={csrf} />
        <fieldset disabled={!admin} class="plain-fieldset">
          <fieldset class="plain-fieldset">
            <legend class="label">Alerts that notify</legend>
            <div class="checks">
              {ALERT_KINDS.map((k) => (
                <label>
                  <input type="checkbox" name={`kind_${k}`} checked={v.kinds.includes(k)} /> {KIND_LABELS[k]}
                </label>
              ))}
            </div>
          </fieldset>
          <Field label="Quiet period (seconds)" name="quietSeconds" type="number" min={0} max={86400} value={v.quietSeconds} required hint="An alert must last this long before anyone is told, and be gone this long to be told resolved: a flapping one stays quiet." />
          <div class="field field-check">
            <input type="checkbox" id="f-notifyResolved" name="notifyResolved" checked={v.notifyResolved} />
            <label for="f-notifyResolved">Also tell when an alert has ended</label>
          </div>
          <Field label="Daily digest at (site time, HH:MM)" name="dailyDigestAt" type="time" value={v.dailyDigestAt} hint="Empty: no daily digest. Otherwise one message a day listing every current alert." />
          <Field label="Admin UI address for links" name="linkBase" type="url" value={v.linkBase} placeholder="https://tm20.example.com" hint="Links in messages start with it; empty: paths only." />
          <div class="field field-check">
            <input type="checkbox" id="f-emailEnabled" name="emailEnabled" checked={v.email.enabled} />
            <label for="f-emailEnabled">Send e-mail</label>
          </div>
          <Field label="SMTP server" name="smtpHost" value={v.email.host} placeholder="smtp.example.com" />
          <Field label="SMTP port" name="smtpPort" type="number" min={1} max={65535} value={v.email.port} required />
          <div class="field">
            <label for="f-smtpSecurity">Encryption</label>
            <select id="f-smtpSecurity" name="smtpSecurity">
              <option value="starttls" selected={v.email.security === "starttls"}>
                STARTTLS, required (port 587)
              </option>
              <option value="tls" selected={v.email.security === "tls"}>
                TLS from the start (port 465)
              </option>
              <option value="none" selected={v.email.security === "none"}>
                None (a relay on the local network)
              </option>
            </select>
          </div>
          <Field label="SMTP user name" name="smtpUsername" value={v.email.username} autocomplete="off" hint="Empty: no login." />
          <Field label="SMTP password" name="smtpPassword" type="password" autocomplete="new-password" hint={v.email.passwordSet ? "A password is stored: leave empty to keep it." : "Stored encrypted; never shown back."} />
          {v.email.passwordSet ? (
            <div class="field field-check">
              <input type="checkbox" id="f-smtpPasswordRemove" name="smtpPasswordRemove" />
              <label for="f-smtpPasswordRemove">Remove the stored password</label>
            </div>
          ) : null}
          <Field label="From" name="smtpFrom" type="email" value={v.email.from} placeholder="tm20@example.com" />
          <Field label="To (comma-separated)" name="smtpTo" value={v.email.to.join(", ")} placeholder="it@example.com, facilities@example.com" />
          <div class="field field-check">
            <input type="checkbox" id="f-webhookEnabled" name="webhookEnabled" checked={v.webhook.enabled} />
            <label for="f-webhookEnabled">Send alert events to webhooks (Integrations → a destination sending "Alerts")</label>
          </div>
          {admin ? (
            <div>
              <button type="submit" class="btn btn-primary">
                Save notifications
              </button>
            </div>
          ) : null}
        </fieldset>
      </form>
      {admin ? (
        <form method="post" action="/settings/notifications/test" class="inline-form">
          <CsrfField token={csrf} />
          <button type="submit" class="btn btn-plain">
            Send test e-mail
          </button>
        </form>
      ) : null}
    </section>
  );
}
