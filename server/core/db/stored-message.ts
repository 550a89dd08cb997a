import type { Message } from "../message.js";
import { fromDbJson, toDbJson } from "./convert.js";

/**
 * Words built in code (a `Message`) kept in a row beside their English text: the locale key
 * (at most 100 characters) and its values as JSON, so that a page can say them later in its
 * reader's language (the audit log's summaries, an import's refusal).
 */
export function toStoredMessage(said: Message | null): { key: string | null; values: string | null } {
  return said ? { key: said.key.slice(0, 100), values: toDbJson(said.values ?? {}) } : { key: null, values: null };
}

/** The message a row keeps, or null where it has only its English text (rows from before, or plain text). */
export function fromStoredMessage(text: string | null, key: string | null, values: string | null): Message | null {
  return text !== null && key ? { key, values: fromDbJson<Record<string, unknown>>(values, {}), text } : null;
}
