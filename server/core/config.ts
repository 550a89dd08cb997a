import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import cron from "node-cron";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./http/trust-proxy.js";
import { isLanguage, LANGUAGES } from "./i18n/index.js";

/** Raised for any invalid variable; the process entry prints it and exits. */
export class ConfigError extends Error {}

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const httpUrl = z
  .string()
  .url("must be a URL")
  .refine((u) => /^https?:\/\//.test(u), "must start with http:// or https://")
  .transform((u) => u.replace(/\/+$/, ""));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: intIn(0, 65535).default("3000"),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: httpUrl.optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .refine((u) => /^(mysql|mariadb):\/\/[^/]+\/[^/?]+/.test(u), "must look like mysql://user:pass@host:3306/db")
    .optional(),
  SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z
    .string()
    .refine((u) => /^smtps?:\/\//.test(u), "must start with smtp:// or smtps://")
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  SMS_PROVIDER: z.enum(["log", "webhook", "twilio"]).default("log"),
  SMS_WEBHOOK_URL: httpUrl.optional(),
  // Checked in loadConfig, and only when SMS_PROVIDER=twilio (see twilioSchema).
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_FROM: z.string().optional(),
  TWILIO_BASE_URL: z.string().optional(),
  REDIS_URL: z
    .string()
    .refine((u) => /^rediss?:\/\//.test(u), "must start with redis:// or rediss://")
    .optional(),
  KIOSK_ROTATE_SECONDS: intIn(5, 3600).default("20"),
  KIOSK_DISPLAY_MINUTES: intIn(1, 1440).default("10"),
  INVITE_TTL_DAYS: intIn(1, 3650).default("30"),
  PRINT_BATCH_CRON: z
    .string()
    .refine((c) => cron.validate(c), "must be a cron expression such as 0 2 * * *")
    .default("0 2 * * *"),
  PRINT_BATCH_SIZE: intIn(1, 1000).default("50"),
  PRINT_RETRY_SECONDS: intIn(1, 86400).default("300"),
  PRINT_RETRY_LIMIT: intIn(0, 100).default("5"),
  OUTBOX_RETRY_SECONDS: intIn(1, 86400).default("60"),
  LETTERS_WARM_UP: z.enum(["true", "false"], { message: "must be true or false" }).default("false"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // A hop count or the proxies' addresses (server/http/trust-proxy.ts), never "true".
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, c) => {
      const parsed = parseTrustProxy(v);
      if ("value" in parsed) return parsed.value;
      c.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error });
      return z.NEVER;
    }),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be a two-letter country code such as ES")
    .default("ES"),
  ORGANIZATION_NAME: z.string().trim().min(1).max(100, "must be at most 100 characters").optional(),
  APP_NAME: z.string().trim().min(1).max(60, "must be at most 60 characters").optional(),
  DEFAULT_LANGUAGE: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isLanguage, `must be one of ${LANGUAGES.join(", ")} (a folder in locales/)`)
    .optional(),
});

/** The Twilio variables, required and checked only when SMS_PROVIDER=twilio. */
const twilioSchema = z.object({
  TWILIO_ACCOUNT_SID: z
    .string({ required_error: "required when SMS_PROVIDER=twilio" })
    .regex(/^AC[0-9a-fA-F]{32}$/, "must be a Twilio account SID (AC followed by 32 hex digits)"),
  TWILIO_AUTH_TOKEN: z.string({ required_error: "required when SMS_PROVIDER=twilio" }).min(8, "must be at least 8 characters"),
  TWILIO_FROM: z
    .string({ required_error: "required when SMS_PROVIDER=twilio" })
    .regex(
      /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$/,
      "must be an E.164 number such as +34600000000, a messaging service SID (MG…) or an alphanumeric sender id",
    ),
  TWILIO_BASE_URL: httpUrl.default("https://api.twilio.com"),
});

export type Config = {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  publicUrl: string;
  /** True when PUBLIC_URL is https: cookies then carry the Secure flag. */
  secureCookies: boolean;
  dataDir: string;
  database: { client: "sqlite"; filename: string } | { client: "mysql"; url: string };
  secretKey: string;
  smtpUrl?: string;
  mailFrom: string;
  smsProvider: "log" | "webhook" | "twilio";
  smsWebhookUrl?: string;
  /** Only when SMS_PROVIDER=twilio; the base URL is overridable (tests, regional edges). */
  twilio?: { accountSid: string; authToken: string; from: string; baseUrl: string };
  redisUrl?: string;
  kioskRotateSeconds: number;
  kioskDisplayMinutes: number;
  inviteTtlDays: number;
  printBatchCron: string;
  printBatchSize: number;
  printRetrySeconds: number;
  printRetryLimit: number;
  outboxRetrySeconds: number;
  /** Start a render worker at start (about 50 MB more at rest) so that the first letters download is not a cold one. */
  lettersWarmUp: boolean;
  logLevel: string;
  /** Express's "trust proxy": false, a hop count or the proxies' addresses. */
  trustProxy: TrustProxy;
  defaultCountry: string;
  /** First-start values of the organization set-up; Settings changes them later. */
  organizationName?: string;
  appName?: string;
  /** First-start default language; without it, the language of DEFAULT_COUNTRY. */
  defaultLanguage?: string;
  /** Bearer token for GET /metrics; without it only a scraper on this machine gets them. */
  metricsToken?: string;
};

/**
 * Reads and validates the environment once. The secret key, when not given, is
 * generated on first start into DATA_DIR so that sessions survive restarts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  if (e.SMS_PROVIDER === "webhook" && !e.SMS_WEBHOOK_URL) {
    throw new ConfigError("Invalid configuration:\n  SMS_WEBHOOK_URL: required when SMS_PROVIDER=webhook");
  }
  let twilio: Config["twilio"];
  if (e.SMS_PROVIDER === "twilio") {
    const t = twilioSchema.safeParse(present);
    if (!t.success) {
      const lines = t.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
      throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
    }
    twilio = {
      accountSid: t.data.TWILIO_ACCOUNT_SID,
      authToken: t.data.TWILIO_AUTH_TOKEN,
      from: t.data.TWILIO_FROM,
      baseUrl: t.data.TWILIO_BASE_URL,
    };
  }
  const dataDir = path.resolve(e.DATA_DIR);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  DATA_DIR: cannot create ${dataDir} (${(err as Error).message})`);
  }
  try {
    // People's data lives here (database, outbox, uploads, the secret): the service's user only.
    chmodSync(dataDir, 0o700);
  } catch {
    // Not ours to change (a directory the operator owns and shares): their permissions stand.
  }
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secureCookies: publicUrl.startsWith("https://"),
    dataDir,
    database: e.DATABASE_URL
      ? { client: "mysql", url: e.DATABASE_URL }
      : { client: "sqlite", filename: path.join(dataDir, "invite-station.sqlite") },
    secretKey: e.SECRET_KEY ?? generatedSecret(dataDir),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? "Invite Station <no-reply@localhost>",
    smsProvider: e.SMS_PROVIDER,
    smsWebhookUrl: e.SMS_WEBHOOK_URL,
    twilio,
    redisUrl: e.REDIS_URL,
    kioskRotateSeconds: e.KIOSK_ROTATE_SECONDS,
    kioskDisplayMinutes: e.KIOSK_DISPLAY_MINUTES,
    inviteTtlDays: e.INVITE_TTL_DAYS,
    printBatchCron: e.PRINT_BATCH_CRON,
    printBatchSize: e.PRINT_BATCH_SIZE,
    printRetrySeconds: e.PRINT_RETRY_SECONDS,
    printRetryLimit: e.PRINT_RETRY_LIMIT,
    outboxRetrySeconds: e.OUTBOX_RETRY_SECONDS,
    lettersWarmUp: e.LETTERS_WARM_UP === "true",
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    defaultCountry: e.DEFAULT_COUNTRY,
    organizationName: e.ORGANIZATION_NAME,
    appName: e.APP_NAME,
    defaultLanguage: e.DEFAULT_LANGUAGE,
    metricsToken: e.METRICS_TOKEN,
  };
}

function generatedSecret(dataDir: string): string {
  const file = path.join(dataDir, "secret.key");
  if (existsSync(file)) {
    const existing = readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return existing;
  }
  const secret = randomBytes(48).toString("base64url");
  // wx: when two processes start at once, the second one reads the first one's key.
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    return readFileSync(file, "utf8").trim();
  }
}
