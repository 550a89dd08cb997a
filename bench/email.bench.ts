import type { Knex } from "knex";
import nodemailer from "nodemailer";
import { cliActor } from "../server/core/events.js";
import { insertImportedUsers, type UserRow } from "../server/people/users.repo.js";
import { startTestApp } from "../test/support/app.js";
import type { Dialect } from "../test/support/databases.js";
import { SmtpCapture } from "../test/support/smtp-capture.js";
import { person, personRow, rng } from "./people-data.js";

export const EMAIL_MESSAGES = Number(process.env.BENCH_EMAIL_MESSAGES ?? 1_000);
const QUEUE_CONCURRENCY = 8;
const TIMEOUT_MS = 120_000;
const FROM = "Invite Station <invitations@example.com>";

export type SendResult = { seconds: number; perSecond: number; n: number };
export type EmailResult = { seedSeconds: number; queueSeconds: number; baseline: SendResult; outbox: SendResult };

/** Pending people, each with an address, straight through the repository. */
async function seedPending(db: Knex, count: number): Promise<number[]> {
  const rand = rng(17);
  const now = Date.now();
  const rows: Array<UserRow & { import_row: number }> = [];
  for (let i = 0; i < count; i++) {
    const p = person(i, rand);
    const email = `bench.person${i}@example.com`;
    rows.push(personRow({ ...p, email, phone: null }, i + 1, now - (count - i) * 1000, "pending"));
  }
  return db.transaction((trx) => insertImportedUsers(trx, 1, rows));
}

/** Resolves once the capture server holds `count` messages; throws after TIMEOUT_MS. */
async function waitForMails(capture: SmtpCapture, count: number): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  while (capture.mails.length < count) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${TIMEOUT_MS / 1000} s: the SMTP server received ${capture.mails.length} of ${count}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Baseline: `count` similar messages straight through one nodemailer pooled transport (the
 * same pool settings as the service's SMTP mailer) to the same capture server. No outbox,
 * no database, no rendering: the floor of SMTP on loopback plus the capture's parsing.
 */
async function baselineSend(capture: SmtpCapture, count: number): Promise<SendResult> {
  const transport = nodemailer.createTransport({ pool: true, url: capture.url, maxConnections: 4, maxMessages: 100 });
  const body =
    "Hello,\n\nYou are invited. Open https://invite.example.com/i/XXXXXXXXXXXXXXXXXXXXXXXX or type the code ABCD-EFGH.\n";
  const html = `<html><body><p>Hello,</p><p>You are invited.</p>${"<p>Lorem ipsum dolor sit amet.</p>".repeat(40)}</body></html>`;
  try {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        transport.sendMail({
          from: FROM,
          to: `baseline${i}@example.com`,
          subject: `Your invitation #${i}`,
          text: body,
          html,
        }),
      ),
    );
    await waitForMails(capture, count);
    const seconds = (performance.now() - start) / 1000;
    return { seconds, perSecond: count / seconds, n: count };
  } finally {
    transport.close();
  }
}

/**
 * Issue 3: 1,000 invitation emails through a local SMTP server ≤ 20 s. The real service
 * (outbox worker running, SMTP_URL at a capture server on loopback); `EMAIL_MESSAGES`
 * pending people each get `invitations.send(id, "email")`, timed from the first queueing
 * until the capture server holds every message. Baseline in the same run: the same number
 * of similar messages straight through one pooled nodemailer transport.
 */
export async function benchEmail(dialect: Dialect): Promise<EmailResult> {
  const capture = await SmtpCapture.start();
  try {
    const baseline = await baselineSend(capture, EMAIL_MESSAGES);
    capture.mails.length = 0;

    const app = await startTestApp(dialect, { SMTP_URL: capture.url, MAIL_FROM: FROM });
    try {
      let t = performance.now();
      const ids = await seedPending(app.ctx.db, EMAIL_MESSAGES);
      const seedSeconds = (performance.now() - t) / 1000;

      const actor = cliActor();
      t = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: QUEUE_CONCURRENCY }, async () => {
          for (let i = next++; i < ids.length; i = next++)
            await app.ctx.notify.invitations.send(ids[i] as number, "email", actor);
        }),
      );
      const queueSeconds = (performance.now() - t) / 1000;
      await waitForMails(capture, ids.length);
      const seconds = (performance.now() - t) / 1000;

      const recipients = new Set(capture.mails.flatMap((m) => m.envelopeTo));
      if (recipients.size !== ids.length) throw new Error(`expected ${ids.length} distinct recipients, got ${recipients.size}`);
      return { seedSeconds, queueSeconds, baseline, outbox: { seconds, perSecond: ids.length / seconds, n: ids.length } };
    } finally {
      await app.stop();
    }
  } finally {
    await capture.close();
  }
}
