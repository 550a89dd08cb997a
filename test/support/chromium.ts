import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { requireOrSkip } from "./services.js";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function chromiumPath(): string | null {
  return CANDIDATES.find((p): p is string => Boolean(p && existsSync(p))) ?? null;
}

/** Debian's Chromium through playwright-core, or null (skipped loudly; fails under CI=true). */
export async function launchChromium(): Promise<Browser | null> {
  const path = chromiumPath();
  if (!requireOrSkip("Chromium", path ? null : "no chromium binary found", "apt-get install chromium (or set CHROMIUM_PATH)"))
    return null;
  return chromium.launch({
    executablePath: path as string,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
