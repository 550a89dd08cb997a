import pino, { type Logger } from "pino";

export type { Logger };

/** Paths whose last segment is a secret (invitation links, setup links, kiosk enrolment). */
const SECRET_PATH = /^(\/(?:i|setup|kiosk\/enroll)\/)[^/?#]+/;

/** A URL as it may appear in a log: secrets in paths and query strings are replaced. */
export function redactUrl(url: string): string {
  const [pathPart, query] = url.split("?", 2) as [string, string | undefined];
  const cleanPath = pathPart.replace(SECRET_PATH, "$1[redacted]");
  if (!query) return cleanPath;
  const cleanQuery = query.replace(/((?:^|&)(?:token|key|code|_csrf)=)[^&]*/gi, "$1[redacted]");
  return `${cleanPath}?${cleanQuery}`;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "password",
        "token",
        "*.password",
        "*.token",
      ],
      censor: "[redacted]",
    },
  });
}
