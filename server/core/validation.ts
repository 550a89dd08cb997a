import type { z } from "zod";
import type { FieldMessages } from "./errors.js";
import type { Message } from "./message.js";

/**
 * A zod issue as a locale key with its values (validation.json), keeping the schema's own
 * English message as the text: the API's wording stays as the schema says it. A custom
 * check (`refine`) names its key in `params: { key, values }`.
 */
export function issueMessage(issue: z.ZodIssue): Message {
  const text = issue.message;
  const of = (key: string, values?: Record<string, unknown>): Message => ({ key: `validation:${key}`, values, text });
  switch (issue.code) {
    case "invalid_type":
      if (issue.received === "undefined" || issue.received === "null") return of("required");
      return of(
        ["string", "number", "boolean", "array", "object", "integer"].includes(issue.expected)
          ? `type.${issue.expected}`
          : "invalid",
      );
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.type === "string") return min <= 1 ? of("required") : of("minLength", { min });
      if (issue.type === "array") return of("minItems", { min });
      return of("minNumber", { min });
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.type === "string") return of("maxLength", { max });
      if (issue.type === "array") return of("maxItems", { max });
      return of("maxNumber", { max });
    }
    case "invalid_string":
      if (issue.validation === "email") return of("email");
      if (issue.validation === "url") return of("url");
      return of("invalid");
    case "invalid_enum_value":
      return of("oneOf", { options: issue.options.join(", ") });
    case "custom": {
      const params = issue.params as { key?: string; values?: Record<string, unknown> } | undefined;
      return params?.key ? { key: params.key, values: params.values, text } : of("invalid");
    }
    default:
      return of("invalid");
  }
}

/** The first issue of each field, as messages (`new ValidationError(zodFieldMessages(e))`). */
export function zodFieldMessages(error: z.ZodError): FieldMessages {
  const fields: FieldMessages = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "_");
    if (!fields[key]) fields[key] = issueMessage(issue);
  }
  return fields;
}

/** `refine(check, keyed("validation:noControl", "must not contain control characters"))`. */
export const keyed = (key: string, message: string, values?: Record<string, unknown>) => ({
  message,
  params: { key, values },
});
