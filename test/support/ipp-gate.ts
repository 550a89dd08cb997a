import net from "node:net";
import { freePort } from "./process.js";

/**
 * A loopback TCP gate in front of a printer that can stop a document on its way: in
 * `hold` mode it forwards a Print-Job request up to `pdfBytes` bytes of its document (the
 * part from "%PDF" on) and then holds the rest, keeping the connection open — so a test can
 * kill the service before the upload reached the printer, or in the middle of it. Every
 * other request passes.
 */
export class IppGate {
  hold = false;
  pdfBytes = 0;
  /** Connections with a document held back right now. */
  held = 0;
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  port = 0;

  constructor(private targetPort: number) {
    this.server = net.createServer((client) => this.connect(client));
  }

  get uri(): string {
    return `ipp://localhost:${this.port}/ipp/print`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    await new Promise<void>((r) => this.server.listen(this.port, "127.0.0.1", r));
  }

  /** Cuts every connection (a service killed mid-upload leaves the printer a broken request). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.held = 0;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }

  private connect(client: net.Socket) {
    const upstream = net.connect(this.targetPort, "127.0.0.1");
    this.sockets.add(client);
    this.sockets.add(upstream);
    let pdfSeen = -1;
    let holding = false;
    client.on("data", (chunk: Buffer) => {
      if (holding) return;
      if (this.hold && pdfSeen < 0) {
        const at = chunk.indexOf("%PDF");
        if (at >= 0) pdfSeen = 0;
        if (at >= 0 && chunk.length - at > this.pdfBytes) {
          upstream.write(chunk.subarray(0, at + this.pdfBytes));
          holding = true;
          this.held++;
          return;
        }
        if (at >= 0) pdfSeen = chunk.length - at;
      } else if (this.hold && pdfSeen >= 0) {
        const room = this.pdfBytes - pdfSeen;
        if (chunk.length > room) {
          upstream.write(chunk.subarray(0, Math.max(0, room)));
          holding = true;
          this.held++;
          return;
        }
        pdfSeen += chunk.length;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (d) => client.write(d));
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", () => {});
    upstream.on("error", () => {});
  }
}
