import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb } from "../../server/core/db/knex.js";
import type { TestApp } from "./app.js";
import { freePort, type Proc, runCli, runEntry, waitFor } from "./process.js";

/** A service process of its own (as PM2 runs one), reachable like a TestApp for the API client. */
export type Instance = { url: string; proc: Proc; app: TestApp; kill: (signal?: NodeJS.Signals) => Promise<void> };

/** The environment several instances share: the database, the signing key, first-start set-up. */
export function sharedEnv(databaseEnv: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...databaseEnv,
    SECRET_KEY: "two-instances-share-this-secret-key-0123456789",
    ORGANIZATION_NAME: "Acme Ibérica",
    APP_NAME: "Acme Chat",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/**
 * Starts `server/main.ts` on a port of its own, with a DATA_DIR of its own (another host) or,
 * with `sameDataDir`, the one in `env` (the same host restarted: SQLite); resolves once
 * /healthz answers.
 */
export async function startInstance(env: Record<string, string>, opts: { sameDataDir?: boolean } = {}): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = opts.sameDataDir && env.DATA_DIR ? env.DATA_DIR : mkdtempSync(path.join(tmpdir(), "invst-instance-"));
  const proc = runEntry("server/main.ts", [], { ...env, DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: url });
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`the instance exited: ${proc.stderr().slice(-2000)}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
    "an instance to answer /healthz",
  );
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (proc.child.exitCode !== null || proc.child.signalCode) return;
    proc.child.kill(signal);
    await proc.exited;
  };
  return { url, proc, kill, app: { url } as TestApp };
}

/**
 * Applies the migrations once and makes an API key with every scope, the way IT would; the
 * test printers listen on loopback, so the admin setting that allows internal addresses is on.
 */
export async function prepareDatabase(env: Record<string, string>): Promise<string> {
  const migrated = await runCli(["migrate"], env);
  if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
  const db = createDb(
    env.DATABASE_URL
      ? { client: "mysql", url: env.DATABASE_URL }
      : { client: "sqlite", filename: path.join(env.DATA_DIR as string, "invite-station.sqlite") },
  );
  try {
    await db("settings")
      .insert({ key: "privacy.allowInternalAddresses", value: "true", updated_at: Date.now() })
      .onConflict("key")
      .merge();
  } finally {
    await db.destroy();
  }
  const key = await runCli(["apikey", "create", "--name", "test"], env);
  if (key.code !== 0) throw new Error(`apikey create failed: ${key.stderr}`);
  return key.stdout.trim();
}
