import { ConfigError, loadConfig } from "./core/config.js";
import { createLogger } from "./core/log.js";
import { startServer } from "./server.js";
import { createStation } from "./station.js";

/** The process entry: `npm start` and PM2 run this. */
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const ctx = createStation(config, log);
  const running = await startServer(ctx);
  // In the background: the service answers meanwhile, and a failure here only means the
  // first letter download starts the renderer itself, as it always could.
  if (config.lettersWarmUp) ctx.letters.warmUp().catch((err) => log.warn({ err }, "warming up the letter renderer failed"));
  log.info(
    { url: config.publicUrl, listen: `${config.host}:${config.port}`, database: config.database.client },
    "Invite Station is running",
  );

  const setupToken = await ctx.admins.issueSetupToken();
  if (setupToken) {
    // Printed to the console, not the log: it is a one-time secret for whoever installs.
    process.stdout.write(
      `\n  No admin account exists yet. Create the first one within the hour at:\n\n    ${config.publicUrl}/setup/${setupToken}\n\n` +
        `  (or run: npm run --silent cli -- admin create --email you@example.com --name "Your Name")\n\n`,
    );
  }

  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    log.info({ signal }, "shutting down");
    const hard = setTimeout(() => {
      log.error("shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, 10_000);
    hard.unref();
    running.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

// Whatever the process writes (database, outbox, uploads, backups) is private to its user.
process.umask(0o077);
main().catch((err) => {
  process.stderr.write(`Invite Station could not start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
