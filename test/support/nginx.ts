import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, ROOT, waitFor } from "./process.js";
import { requireOrSkip } from "./services.js";

const BIN = "/usr/sbin/nginx";

export function requireNginx(): boolean {
  return requireOrSkip("nginx", existsSync(BIN) ? null : `${BIN} is missing`, "bash scripts/test-services.sh nginx");
}

export type Nginx = { httpsUrl: string; httpUrl: string; stop: () => Promise<void> };

/**
 * Debian's nginx as a child process (not a daemon, not the system service) running the
 * shipped deploy/nginx.conf, with its addresses swapped for the test's: the upstreams, free
 * loopback ports and a self-signed certificate made with openssl.
 */
export async function startNginx(upstreams: number[]): Promise<Nginx> {
  const dir = mkdtempSync(path.join(tmpdir(), "invst-nginx-"));
  mkdirSync(path.join(dir, "logs"));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
    { stdio: "ignore" },
  );
  let site = readFileSync(path.join(ROOT, "deploy/nginx.conf"), "utf8");
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join("\n");
  site = site
    .replace(/( {4}server 127\.0\.0\.1:\d+ [^\n]*\n)+/, `${servers}\n`)
    .replace("listen 80;", `listen 127.0.0.1:${httpPort};`)
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replace(/ssl_certificate +\S+;/, `ssl_certificate ${cert};`)
    .replace(/ssl_certificate_key +\S+;/, `ssl_certificate_key ${key};`)
    .replaceAll("invite.example.com", "127.0.0.1");
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((t) => `  ${t}_temp_path ${path.join(dir, t)};`)
    .join("\n");
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `pid ${path.join(dir, "nginx.pid")};\nerror_log ${path.join(dir, "logs/error.log")} warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n${temp}\n${site}\n}\n`,
  );
  let log = "";
  const child = spawn(BIN, ["-p", dir, "-c", conf, "-e", path.join(dir, "logs/error.log"), "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr?.on("data", (d) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${log}`);
      return fetch(httpUrl, { redirect: "manual" })
        .then(() => true)
        .catch(() => false);
    },
    15_000,
    "nginx to listen",
  );
  return {
    httpUrl,
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    async stop() {
      child.kill("SIGQUIT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
