import type { TFunction } from "../core/i18n/index.js";

/**
 * A send that did not go out. `permanent` means trying the same message again cannot help
 * (the person joined, the provider refused the request itself): the message fails at once
 * instead of waiting through the retries. `safe` marks a message written by us, free of
 * personal data, that may appear in event summaries and the audit log.
 */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly safe: boolean;
  constructor(message: string, opts: { permanent?: boolean; safe?: boolean } = {}) {
    super(message);
    this.permanent = opts.permanent ?? false;
    this.safe = opts.safe ?? false;
  }
}

/**
 * HTTP statuses that say "this request is wrong" rather than "not now": no retry helps them.
 * 401 and 403 are not among them: they usually mean a credential or secret being changed,
 * which an admin fixes while the message waits.
 */
export function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 403, 408, 409, 425, 429].includes(status);
}

const TIMEOUT_MS = 10_000;

/**
 * A POST to a provider or receiver with a 10 s timeout and no redirects. A network failure
 * becomes a DeliveryError "<label>: <why>" (retried by the outbox); the caller judges the
 * answer.
 */
export async function postForDelivery(
  label: string,
  url: string,
  init: { headers: Record<string, string>; body: string },
  errorOpts: { safe?: boolean } = {},
): Promise<Response> {
  try {
    return await fetch(url, { method: "POST", ...init, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new DeliveryError(`${label}: ${why}`, errorOpts);
  }
}

/**
 * What a stored delivery error (English, as the API gives it) says in the reader's words.
 * The error is kept as text (it often quotes a provider's answer); the sentences we write
 * are matched here and said with deliveries.json's `error.` keys, the quoted part as is.
 */
const SAID_ERRORS: Array<[RegExp, string]> = [
  [/^The SMTP server refused the recipient: (?<detail>.*)$/s, "smtpRefused"],
  [/^SMTP: (?<detail>.*)$/s, "smtp"],
  [/^Could not write the email file: (?<detail>.*)$/s, "emailFile"],
  [/^No sender for channel (?<detail>.*)$/s, "noSender"],
  [/^(?<label>Webhook|SMS webhook|Twilio) answered (?<detail>.*)$/s, "answered"],
  [/^(?<label>[\w ]+): no answer within (?<detail>\d+) s$/s, "timeout"],
  [/^The webhook was deleted before this delivery could be sent$/, "webhookDeleted"],
  [/^The webhook is disabled$/, "webhookDisabled"],
  [/^The code expired or was replaced before it could be sent$/, "codeExpired"],
  [/^The person was erased before it was sent\.$/, "personErased"],
  [/^The invitation link was (?<detail>\w+) before it was sent: make a new one and send again\.$/, "linkGone"],
  [/^Person #(?<id>\d+) is deactivated: reactivate them before sending an invitation\.$/, "deactivated"],
  [/^Person #(?<id>\d+) has already joined: there is nothing to send\.$/, "joined"],
  [/^Person #(?<id>\d+) has no email address\.$/, "noEmail"],
  [/^Person #(?<id>\d+) has no mobile phone number\.$/, "noPhone"],
  [/^Person #(?<id>\d+) has not given consent to be contacted by SMS\.$/, "noConsent"],
];

export function sayDeliveryError(t: TFunction | undefined, text: string): string {
  if (!t) return text;
  for (const [pattern, key] of SAID_ERRORS) {
    const m = pattern.exec(text);
    if (m) return t(`deliveries:error.${key}`, { label: "", detail: "", id: "", ...m.groups, defaultValue: text });
  }
  return text;
}
