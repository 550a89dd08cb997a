// PM2 process file: `pm2 start ecosystem.config.js --env production`, then `pm2 save`.
//
// An ES module, because package.json says "type": "module". PM2 loads this file with
// require(), which on Node.js >= 20.19 loads an ES module and hands PM2 its named exports:
// so the apps are a named export `apps` (PM2 does not look at `export default`).
//
// ONE instance in fork mode. Never cluster mode and never `instances` > 1 on one machine:
// cluster mode breaks Socket.IO (the kiosk connections) and runs every scheduled job once
// per worker. To run more, start one such process per machine, all sharing MySQL/MariaDB
// (DATABASE_URL) and Redis (REDIS_URL); scheduled jobs then run once, under a database lease.
// The settings of one instance; several instances behind nginx are one entry per port
// (docs/operations.md, "Several instances behind nginx"): apps = [3001, 3002].map((port) => ({ ...base, … })).
const base = {
  // The compiled service (dist/), compiled first by scripts/start.mjs when the sources are
  // newer (a `git pull` without `npm ci`), as `npm start` runs it; with the same small young
  // generation (4 MB semi-spaces, not 16): the PDF data that passes through the main thread
  // is freed sooner, which keeps rendering 10,000 letters low (docs/benchmarks.md).
  script: "scripts/start.mjs",
  interpreter: "node",
  interpreter_args: ["--max-semi-space-size=4"],
  exec_mode: "fork",
  instances: 1,
  autorestart: true,
  watch: false,
  // The process stops gracefully within 10 s of SIGTERM (server/main.ts): leave it 12.
  kill_timeout: 12000,
  // A leak restarts the process (gracefully) before it takes the machine's memory.
  max_memory_restart: "1G",
  // A crash is retried every 5 s, so a database that is down at boot is waited for
  // (PM2 only gives up after 10 quick exits within its first 50 s)...
  restart_delay: 5000,
  min_uptime: "5s",
  max_restarts: 10,
  // ...but invalid configuration (exit 78, the message names the variable) is not retried.
  stop_exit_codes: [78],
  time: true,
  env: {
    NODE_ENV: "development",
  },
  env_production: {
    NODE_ENV: "production",
  },
};

export const apps = [{ name: "invite-station", ...base }];
