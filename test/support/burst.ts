import { Agent, request } from "node:http";

export type Answer = { status: number; text: string };

/**
 * One request from a chosen loopback address (another client, as a per-address limit sees
 * it), through `agent` so that a burst really is in flight at once.
 */
export function send(
  url: string,
  opts: { method?: string; localAddress?: string; body?: string; headers?: Record<string, string>; agent?: Agent },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = opts.body ?? "";
    const req = request(
      url,
      {
        method: opts.method ?? "GET",
        localAddress: opts.localAddress,
        agent: opts.agent,
        headers: { ...(body ? { "content-length": String(Buffer.byteLength(body)) } : {}), ...opts.headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A request the server dropped before reading it (its header timeout, on a machine too busy
 * to read 1,000 at once) is sent again: it was never counted nor answered.
 */
async function retried(make: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await make();
    } catch (err) {
      if (attempt >= 3 || (err as { code?: string }).code !== "ECONNRESET") throw err;
    }
  }
}

/** `count` requests made by `make(i)`, all started before any is answered; their statuses tallied. */
export async function burst(count: number, make: (i: number, agent: Agent) => Promise<Answer>) {
  const agent = new Agent({ keepAlive: false, maxSockets: count });
  try {
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => retried(() => make(i, agent))));
    const tally = new Map<number, number>();
    for (const a of answers) tally.set(a.status, (tally.get(a.status) ?? 0) + 1);
    return { answers, tally, of: (status: number) => tally.get(status) ?? 0 };
  } finally {
    agent.destroy();
  }
}

/** A JSON POST. */
export const postJson = (url: string, body: unknown, localAddress?: string, agent?: Agent) =>
  send(url, { method: "POST", localAddress, agent, body: JSON.stringify(body), headers: { "content-type": "application/json" } });
