import { ADMIN_PASSWORD, createApiKey, createStaff, startTestApp, type TestApp } from "./app.js";
import { PageClient } from "./browser-client.js";
import type { Dialect } from "./databases.js";

/** A fresh install in Spain: no DEFAULT_LANGUAGE, so the organization speaks Spanish. */
export const SPAIN = {
  DEFAULT_COUNTRY: "ES",
  DEFAULT_LANGUAGE: "",
  ORGANIZATION_NAME: "Logística Peñalara",
  APP_NAME: "Charla",
};

/** A Spanish organization's service with a signed-in admin and an API key (private addresses refused, as installed). */
export async function spanishAdmin(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<{ app: TestApp; admin: PageClient; key: string }> {
  const app = await startTestApp(dialect, { ...SPAIN, ...env }, { internalAddresses: false });
  await createStaff(app.ctx, "admin");
  const key = await createApiKey(app.ctx);
  const admin = new PageClient(app.url);
  await admin.signIn("admin@example.com", ADMIN_PASSWORD);
  return { app, admin, key };
}
