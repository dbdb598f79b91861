/**
 * E-mail over SMTP with nodemailer: one connection per message (alerts are rare; settings changed
 * in the UI apply to the next one), TLS from the start, STARTTLS required, or none for a relay on
 * the LAN. Nodemailer's own logger stays off: it would write the conversation, password included.
 */
import nodemailer from "nodemailer";
import type { SecretBox } from "../auth/secret-box.ts";
import type { NotificationSettings } from "./notify-settings.ts";

const CONNECT_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

export interface MailMessage {
  subject: string;
  text: string;
}

/** Sends one message to the configured recipients; rejects with the SMTP server's reason. */
export async function sendMail(email: NotificationSettings["email"], secrets: SecretBox, message: MailMessage): Promise<void> {
  const password = email.passwordSealed === null ? null : secrets.open(email.passwordSealed);
  const transport = nodemailer.createTransport({
    host: email.host,
    port: email.port,
    secure: email.security === "tls",
    requireTLS: email.security === "starttls",
    ignoreTLS: email.security === "none",
    ...(email.username !== "" ? { auth: { user: email.username, pass: password ?? "" } } : {}),
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail({ from: email.from, to: email.to.join(", "), subject: message.subject, text: message.text });
  } finally {
    transport.close();
  }
}

/** An SMTP failure as one line for people (nodemailer's errors carry the server's answer). */
export function mailError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, " ").slice(0, 300);
}
