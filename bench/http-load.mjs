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
// Every answer must be 200; the first other status stops the run and is reported.
import { text } from "node:stream/consumers";

const job = JSON.parse(await text(process.stdin));
const { url, method, bodies, count } = job;
const latencies = new Array(count);
let failure = null;

async function send(i, dueAt) {
  const res = await fetch(
    url,
    bodies ? { method, headers: { "content-type": "application/json" }, body: bodies[i] } : { method },
  );
  const answer = await res.text();
  latencies[i] = performance.now() - dueAt;
  if (res.status !== 200 && !failure) failure = `${method} ${url} answered ${res.status}: ${answer.slice(0, 300)}`;
}

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
process.stdout.write(`${JSON.stringify({ latencies, seconds, failure })}\n`);
