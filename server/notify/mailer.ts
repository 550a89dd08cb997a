import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Config } from "../core/config.js";
import type { Logger } from "../core/log.js";
import { DeliveryError } from "./delivery-error.js";
import type { Outgoing } from "./outbox.types.js";

export type OutgoingEmail = Extract<Outgoing, { channel: "email" }>;

/** Sends one email; `messageId` names the outbox row, so a retry of the same row is recognisable. */
export interface Mailer {
  readonly name: string;
  send(mail: OutgoingEmail, messageId: number): Promise<{ providerId: string | null; kept?: "saved" }>;
  close(): void;
}

/** SMTP_URL set: a pooled SMTP transport; otherwise `.eml` files in DATA_DIR/outbox. */
/** Where the file outbox (no SMTP_URL) keeps a message. */
export const emlFileOf = (dataDir: string, messageId: number) => path.join(dataDir, "outbox", `message-${messageId}.eml`);

/** Removes the .eml files of these messages, where there are any (erasure, retention). */
export async function removeEmlFiles(dataDir: string, messageIds: number[]): Promise<void> {
  for (const id of messageIds) await rm(emlFileOf(dataDir, id), { force: true });
}

type MailConfig = Pick<Config, "smtpUrl" | "mailFrom" | "dataDir">;

export function createMailer(config: MailConfig, log: Logger): Mailer {
  return config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom) : new EmlFileMailer(config, log);
}

const message = (mail: OutgoingEmail, from: string, messageId: number) => ({
  from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  html: mail.html,
  attachments: mail.attachments.map((a) => ({ ...a, contentDisposition: "inline" as const })),
  headers: { "X-Invite-Station-Message": String(messageId) },
});

/**
 * A pool of SMTP connections, reused across messages. The timeouts keep one send well
 * inside the worker's claim lease, so a slow server cannot make two instances send.
 */
class SmtpMailer implements Mailer {
  readonly name = "smtp";
  private transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(
    url: string,
    private from: string,
  ) {
    this.transport = nodemailer.createTransport({
      pool: true,
      url,
      maxConnections: 4,
      maxMessages: 100,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingEmail, messageId: number): Promise<{ providerId: string | null }> {
    try {
      const info = await this.transport.sendMail(message(mail, this.from, messageId));
      if (info.rejected?.length) throw new DeliveryError(`The SMTP server refused the recipient: ${String(info.response ?? "")}`);
      return { providerId: info.messageId ?? null };
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const e = err as { code?: string; responseCode?: number; message?: string };
      // 5xx is the server's final "no" for this message (unknown mailbox, …); anything else may pass later.
      const permanent = typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600;
      const detail = [e.code, e.responseCode, e.message].filter(Boolean).join(" ");
      throw new DeliveryError(`SMTP: ${detail || String(err)}`, { permanent });
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * No SMTP server configured: each email is written as a standard `.eml` file to
 * DATA_DIR/outbox, named after its outbox row, so that a retry of the same row rewrites
 * the same file instead of adding one. Written to a temporary name and renamed, so a
 * crash never leaves half a message.
 */
class EmlFileMailer implements Mailer {
  readonly name = "files";
  private transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  private dir: string;
  private warned = false;

  constructor(
    private config: MailConfig,
    private log: Logger,
  ) {
    this.dir = path.join(config.dataDir, "outbox");
  }

  async send(mail: OutgoingEmail, messageId: number): Promise<{ providerId: string | null; kept: "saved" }> {
    try {
      const info = await this.transport.sendMail(message(mail, this.config.mailFrom, messageId));
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const file = emlFileOf(this.config.dataDir, messageId);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, info.message as Buffer, { mode: 0o600 });
      await rename(tmp, file);
      if (!this.warned) {
        this.warned = true;
        this.log.warn({ dir: this.dir }, "SMTP_URL is not set: emails are written to files instead of being sent");
      }
      return { providerId: info.messageId ?? null, kept: "saved" };
    } catch (err) {
      throw new DeliveryError(`Could not write the email file: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
