import { createClient } from "redis";

/** null when Redis answers a PING at the URL, else what went wrong. */
export async function redisReachable(url: string): Promise<string | null> {
  const client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    if (client.isOpen) await client.close();
  }
}
