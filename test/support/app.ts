import { loadConfig } from "../../server/core/config.js";
import { cliActor } from "../../server/core/events.js";
import { createLogger } from "../../server/core/log.js";
import { type Running, startServer } from "../../server/server.js";
import { createStation, type Station } from "../../server/station.js";
import { type Dialect, freshDatabase, type TestDatabase } from "./databases.js";

export type TestApp = {
  ctx: Station;
  url: string;
  database: TestDatabase;
  stop: () => Promise<void>;
};

/**
 * The organization set-up an automated install gives, so tests can send, print and show
 * on kiosks at once, in English although DEFAULT_COUNTRY is ES. A test of the refusal
 * passes `{ ORGANIZATION_NAME: "", APP_NAME: "" }`; "" also unsets DEFAULT_LANGUAGE.
 */
export const SETUP_ENV = { ORGANIZATION_NAME: "Acme Logistics", APP_NAME: "Chatter", DEFAULT_LANGUAGE: "en" };

export const ADMIN_PASSWORD = "correct horse battery staple";

/** The real service on a fresh database, listening on a free loopback port. */
export async function startTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
  opts: { internalAddresses?: boolean } = {},
): Promise<TestApp> {
  const database = await freshDatabase(dialect);
  const app = await startOn(database, env, opts);
  return {
    ...app,
    stop: async () => {
      await app.stop();
      await database.drop();
    },
  };
}

/**
 * The real service on an existing test database; `stop` keeps the database, so a test can
 * start another process on the same data (a restart). `outbox: false` leaves the outbox
 * worker stopped. The printers and webhook receivers of the tests listen on loopback, so the
 * admin setting that allows internal addresses is switched on unless `internalAddresses: false`.
 */
export async function startOn(
  database: TestDatabase,
  env: Record<string, string> = {},
  opts: { outbox?: boolean; internalAddresses?: boolean } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...SETUP_ENV,
    ...database.env,
    ...env,
  });
  const ctx = createStation(config, createLogger(config.logLevel));
  const running: Running = await startServer(ctx, { jobs: false, outbox: opts.outbox });
  if (opts.internalAddresses !== false) await ctx.privacySettings.update({ allowInternalAddresses: true }, cliActor());
  ctx.config.publicUrl = running.url;
  return { ctx, url: running.url, database, stop: () => running.stop() };
}

/** An admin (or front-desk) account made the way `cli admin create` makes one. */
export async function createStaff(ctx: Station, role: "admin" | "frontdesk" = "admin", email = `${role}@example.com`) {
  return ctx.admins.create(
    { email, name: role === "admin" ? "Ada Admin" : "Frank Desk", role, password: ADMIN_PASSWORD },
    cliActor(),
  );
}

/** A key with the given scopes, as `cli apikey create` prints it. */
export async function createApiKey(ctx: Station, scopes?: string[]): Promise<string> {
  const { key } = await ctx.apiKeys.create("test key", scopes, cliActor(), null);
  return key;
}
