// The HTTP load generator of the benchmarks, run as a process of its own: a real client never
// shares the server's event loop (on SQLite, a synchronous driver, an in-process client would be
// charged for the server's queries and the other way round).
//
// Reads one JSON job on stdin, answers one JSON line on stdout:
//   { url, method, bodies: string[] | null, count, concurrency }          closed loop: `concurrency`
//       requests in flight, each sent when the previous one answered (the most it can do);
//   { url, method, bodies, count, rate }                                   open loop: request i is due
//       at start + i / rate seconds whatever the server does, and its latency counts from when it
//       was due, so a server that falls behind is charged for the wait (no coordinated omission).
// Every answer must be 200 (or one of `expect`, e.g. [404, 429] for a flood of refused
// requests); the first other status stops the run and is reported. Before the
// timed run the client opens its connections with GET /healthz and then writes "timed run
// starts" on stderr.
import http from "node:http";
import { text } from "node:stream/consumers";

const job = JSON.parse(await text(process.stdin));
const { url, method, bodies, count } = job;
const expected = new Set(job.expect ?? [200]);
const latencies = new Array(count);
let failure = null;

// Keep-alive connections, at most this many at once: a server that falls behind makes requests
// wait here (and their latency shows it) rather than open hundreds of connections.
const connections = job.concurrency ?? 64;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

function request(target, verb, body) {
  return new Promise((resolve, reject) => {
    const headers = body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {};
    const req = http.request(target, { method: verb, agent, headers }, (res) => {
      let answer = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (answer += d));
      res.on("end", () => resolve({ status: res.statusCode, answer }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function send(i, dueAt) {
  const { status, answer } = await request(url, method, bodies ? bodies[i] : undefined);
  latencies[i] = performance.now() - dueAt;
  if (!expected.has(status) && !failure) failure = `${method} ${url} answered ${status}: ${answer.slice(0, 300)}`;
}

// Open the connections first: a run must not be charged for TCP set-up of its first second.
const origin = new URL(url).origin;
await Promise.all(
  Array.from({ length: connections }, async () => {
    for (let i = 0; i < 10; i++) await request(`${origin}/healthz`, "GET");
  }),
);
process.stderr.write("timed run starts\n");

const start = performance.now();
if (job.rate) {
  const interval = 1000 / job.rate;
  const inFlight = [];
  for (let i = 0; i < count && !failure; i++) {
    const dueAt = start + i * interval;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(i, dueAt).catch((err) => (failure ??= String(err?.stack ?? err))));
  }
  await Promise.all(inFlight);
} else {
  let next = 0;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      for (let i = next++; i < count && !failure; i = next++) {
        try {
          await send(i, performance.now());
        } catch (err) {
          failure ??= String(err?.stack ?? err);
        }
      }
    }),
  );
}
const seconds = (performance.now() - start) / 1000;
agent.destroy();
process.stdout.write(`${JSON.stringify({ latencies, seconds, failure })}\n`);
