import { type TFunction, translator } from "./i18n/index.js";

/**
 * Words built in code, kept as a key of locales/<language>/*.json with its values, so that
 * each reader gets them in their own language. `text` is the English wording: what the
 * JSON API, logs and webhooks say (they speak English, whatever the reader's language).
 */
export type Message = { key: string; values?: Record<string, unknown>; text: string };

const english = translator("en");

/** A message from the catalog: its English text comes from locales/en. */
export function message(key: string, values?: Record<string, unknown>): Message {
  return values ? { key, values, text: english(key, values) } : { key, text: english(key) };
}

export const isMessage = (v: unknown): v is Message =>
  typeof v === "object" && v !== null && typeof (v as Message).key === "string" && typeof (v as Message).text === "string";

/** The message in the reader's language (a plain string, from code not yet keyed, as it is). */
export function say(t: TFunction | undefined, m: Message | string): string {
  if (typeof m === "string") return m;
  // English readers get the English the code wrote (a schema's own wording, say).
  if (!t || (t as { lng?: string }).lng === "en") return m.text;
  return t(m.key, { ...m.values, defaultValue: m.text });
}

/** Each field's message in the reader's language. */
export function sayAll(t: TFunction | undefined, fields: Record<string, Message | string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, say(t, v)]));
}
