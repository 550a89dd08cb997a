import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import ipp from "ipp";
import { PrintError, RETRIABLE_IPP_STATUS } from "./print-error.js";

export type IppAttributes = Record<string, unknown>;
export type IppResponse = { statusCode: string; groups: Record<string, IppAttributes | IppAttributes[]> };

export type IppTarget = {
  /** ipp://, ipps://, http:// or https:// */
  uri: string;
  username?: string | null;
  password?: string | null;
  timeoutMs: number;
};

/** The http(s) URL an ipp(s):// URI is reached at (IPP's default port is 631). */
export function httpUrlOf(uri: string): URL {
  const url = new URL(uri);
  const secure = url.protocol === "ipps:" || url.protocol === "https:";
  const port = url.port || (url.protocol === "ipp:" || url.protocol === "ipps:" ? "631" : secure ? "443" : "80");
  return new URL(
    `${secure ? "https" : "http"}://${url.hostname.includes(":") ? `[${url.hostname}]` : url.hostname}:${port}${url.pathname}${url.search}`,
  );
}

/** The printer-uri operation attribute: ipp(s):// even when the printer is reached over http(s). */
export function printerUriOf(uri: string): string {
  return uri.replace(/^http:/, "ipp:").replace(/^https:/, "ipps:");
}

/**
 * One IPP request through the `ipp` package, with what it lacks: a deadline (it has no
 * timeout; the request's socket is aborted when the deadline passes, and a response that
 * stalls is given up on), IPP status codes checked (it reports an IPP error as a
 * successful callback), and credentials sent as HTTP Basic auth.
 */
export async function ippRequest(
  target: IppTarget,
  operation: string,
  operationAttributes: IppAttributes,
  extra: { jobAttributes?: IppAttributes; data?: Buffer; acceptStatus?: string[] } = {},
): Promise<IppResponse> {
  const url = httpUrlOf(target.uri);
  const message: Record<string, unknown> = {
    version: "2.0",
    operation,
    id: Math.floor(Math.random() * 2 ** 30) + 1,
    "operation-attributes-tag": {
      "attributes-charset": "utf-8",
      "attributes-natural-language": "en",
      "printer-uri": printerUriOf(target.uri),
      ...operationAttributes,
    },
  };
  if (extra.jobAttributes) message["job-attributes-tag"] = extra.jobAttributes;
  if (extra.data) message.data = extra.data;
  const body = ipp.serialize(message);
  const controller = new AbortController();
  const options: RequestOptions & { protocol: string; path: string } = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    port: Number(url.port),
    path: `${url.pathname}${url.search}`,
    signal: controller.signal,
    headers: {},
  };
  if (target.username) options.auth = `${target.username}:${target.password ?? ""}`;
  const where = `${url.hostname}:${url.port}`;

  const response = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.abort();
      reject(new PrintError(`The printer at ${where} did not answer within ${target.timeoutMs / 1000} s`, "timeout", true));
    }, target.timeoutMs);
    const done = (err: unknown, res?: Record<string, unknown>) => {
      clearTimeout(timer);
      if (err) reject(transportError(err, where));
      else resolve(res as Record<string, unknown>);
    };
    // The request is sent here rather than through ipp.request, which parses the answer in
    // an event handler: an answer that is not IPP (a web page) threw there, uncaught, and
    // ended the process. ipp.parse is called where its error can be caught.
    try {
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      options.method = "POST";
      options.headers = { ...options.headers, "content-type": "application/ipp" };
      const req = send(options, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return done({ statusCode: res.statusCode });
        }
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", done);
        res.on("end", () => {
          try {
            done(null, ipp.parse(Buffer.concat(chunks)) as unknown as Record<string, unknown>);
          } catch {
            done({ statusCode: 200, notIpp: true });
          }
        });
      });
      req.on("error", done);
      req.end(body);
    } catch (err) {
      done(err);
    }
  });

  const statusCode = String(response.statusCode ?? "unknown");
  const groups: IppResponse["groups"] = {};
  for (const [key, value] of Object.entries(response)) {
    if (key.endsWith("-tag")) groups[key] = value as IppAttributes;
  }
  const ok = statusCode.startsWith("successful-ok") || (extra.acceptStatus ?? []).includes(statusCode);
  if (!ok) {
    const op = groups["operation-attributes-tag"] as IppAttributes | undefined;
    const detail = typeof op?.["status-message"] === "string" ? `: ${op["status-message"]}` : "";
    throw new PrintError(
      `The printer refused ${operation} with ${statusCode}${detail}`,
      statusCode,
      RETRIABLE_IPP_STATUS.has(statusCode),
      true,
    );
  }
  return { statusCode, groups };
}

function transportError(err: unknown, where: string): PrintError {
  if (err instanceof PrintError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string; name?: string };
  if (e.name === "AbortError") return new PrintError(`The request to ${where} was cut off`, "timeout", true);
  if (e.statusCode === 401 || e.statusCode === 403) {
    return new PrintError(`The printer at ${where} refused the credentials (HTTP ${e.statusCode})`, "not-authorized", false);
  }
  // Not the remote status itself: the status check must not become a probe that tells
  // which internal web services answer what.
  if (typeof e.statusCode === "number") {
    return new PrintError(`The device at ${where} did not answer as an IPP printer`, "not-ipp", true);
  }
  const code = e.code ?? "error";
  const words: Record<string, string> = {
    ECONNREFUSED: "refused the connection (is it switched on?)",
    EHOSTUNREACH: "cannot be reached",
    ENETUNREACH: "cannot be reached",
    ENOTFOUND: "has a host name that does not resolve",
    EAI_AGAIN: "has a host name that does not resolve right now",
    ECONNRESET: "dropped the connection",
    ETIMEDOUT: "did not answer",
  };
  const why = words[code] ?? (/CERT|TLS|SSL/.test(code) ? `has a TLS certificate this server does not accept (${code})` : null);
  if (!why) return new PrintError(`The device at ${where} did not answer as an IPP printer`, "not-ipp", true);
  return new PrintError(`The printer at ${where} ${why}`, "unreachable", true);
}

/** The `ipp` package returns a one-value set as a scalar: every list attribute goes through here. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export const asStrings = (value: unknown): string[] => asList(value).map(String);
