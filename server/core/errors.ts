import type { TFunction } from "./i18n/index.js";
import { type Message, say, sayAll } from "./message.js";

/**
 * Errors services throw; the HTTP layer turns them into pages or problem+json. A message is
 * English text or a `Message` (a locale key with its values and its English text): the API
 * answers in English, pages in the reader's language.
 */
export type FieldErrors = Record<string, string>;
/** Per-field messages that pages translate (`sayAll(req.t, …)`); `text` is the English. */
export type FieldMessages = Record<string, Message>;

export class AppError extends Error {
  /** The message as a locale key, where the code that threw gave one. */
  readonly said: Message | null;
  constructor(
    message: string | Message,
    readonly status: number,
    readonly title: string,
  ) {
    super(typeof message === "string" ? message : message.text);
    this.said = typeof message === "string" ? null : message;
  }

  /** The message in the reader's language (English where the code gave only English). */
  messageIn(t: TFunction | undefined): string {
    return this.said ? say(t, this.said) : this.message;
  }
}

export class ValidationError extends AppError {
  /** English, per field: the API's `errors`. */
  readonly fields: FieldErrors;
  /** The same, as keys where the code gave them. */
  readonly messages: Record<string, Message | string>;
  constructor(fields: Record<string, Message | string>, message: string | Message = "Some fields need attention.") {
    super(message, 400, "Invalid input");
    this.messages = fields;
    this.fields = sayAll(undefined, fields);
  }

  /** Each field's message in the reader's language, for a form shown again. */
  fieldsIn(t: TFunction | undefined): FieldErrors {
    return sayAll(t, this.messages);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string | Message = "Not found.") {
    super(message, 404, "Not found");
  }
}

/** A duplicate or a state conflict; `existing` points at the thing it collides with. */
export class ConflictError extends AppError {
  constructor(
    message: string | Message,
    readonly existing?: { type: string; id: number; field?: string },
  ) {
    super(message, 409, "Conflict");
  }
}

const SETUP_FIELD_LABELS: Record<string, string> = { organizationName: "the organization name", appName: "the app name" };

/**
 * Sending, printing or showing on a kiosk before the organization set-up is done: the
 * invitations would carry no organization or app name. `missing` names the settings.
 */
export class SetupIncompleteError extends AppError {
  constructor(readonly missing: string[]) {
    const labels = missing.map((m) => SETUP_FIELD_LABELS[m] ?? m).join(" and ");
    super(
      `Finish the organization set-up first (Administration → Organization set-up): ${labels} ${missing.length === 1 ? "is" : "are"} not set.`,
      409,
      "Organization set-up incomplete",
    );
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string | Message = "You do not have permission to do this.") {
    super(message, 403, "Forbidden");
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string | Message = "Authentication required.") {
    super(message, 401, "Unauthorized");
  }
}

export class RateLimitedError extends AppError {
  constructor(
    message: string | Message,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 429, "Too many requests");
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string | Message) {
    super(message, 413, "Payload too large");
  }
}

/** Error codes and messages that mean the database cannot be reached right now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string } | null;
  if (!e) return false;
  const codes = [
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
    "PROTOCOL_CONNECTION_LOST",
    "ER_CON_COUNT_ERROR",
    "ER_SERVER_SHUTDOWN",
    "SQLITE_BUSY",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
  ];
  if (e.code && codes.includes(e.code)) return true;
  if (e.name === "KnexTimeoutError") return true;
  return /Connection lost|connect ETIMEDOUT|Can't add new command when connection is in closed state|closed state/i.test(
    e.message ?? "",
  );
}
