import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export type CapturedRequest = { method: string; url: string; headers: IncomingHttpHeaders; body: string };
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A loopback HTTP server that records every request and answers with `respond` (by default
 * 200 `{}`): plays an SMS webhook receiver or the Twilio API in the tests.
 */
export class HttpCapture {
  readonly requests: CapturedRequest[] = [];
  respond: (req: CapturedRequest, index: number) => Answer = () => ({ status: 200, body: {} });
  private server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const captured = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.requests.push(captured);
        const answer = this.respond(captured, this.requests.length - 1);
        const body = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(body);
      });
    });
  }

  static async start(): Promise<HttpCapture> {
    const capture = new HttpCapture();
    await new Promise<void>((resolve) => capture.server.listen(0, "127.0.0.1", resolve));
    return capture;
  }

  get url(): string {
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
