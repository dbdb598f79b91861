/** Reading what a real SMTP server (smtp-server) received, as nodemailer encoded it. */
import type { Readable } from "node:stream";
import type { SMTPServerSession } from "smtp-server";

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** Quoted-printable or base64 body, as nodemailer encodes it. */
function decodeBody(headers: string, body: string): string {
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

function parseMail(raw: string, envelope: { from: string; to: string[] }): Mail {
  const split = raw.indexOf("\r\n\r\n");
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const subject = /^subject:\s*(.*)$/im.exec(headers)?.[1] ?? "";
  return { ...envelope, subject, text: decodeBody(headers, raw.slice(split + 4)).replace(/\r\n/g, "\n") };
}

/** The message of an `onData` stream, once it has ended. */
export function readMail(stream: Readable, session: SMTPServerSession): Promise<Mail> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", reject);
    stream.on("end", () => {
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
      resolve(parseMail(Buffer.concat(chunks).toString("utf8"), { from, to: session.envelope.rcptTo.map((r) => r.address) }));
    });
  });
}
