import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

// Evaluated rather than added as a <script>: the pages' CSP forbids inline script, and
// evaluation through the DevTools protocol is not subject to it (the page itself is unchanged).
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The rules we hold pages to: WCAG 2.0–2.2 A and AA, and axe's best practices. */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

export type AxeFinding = { id: string; impact: string; help: string; targets: string[] };

/** axe-core's serious and critical violations on the page as it is now, one line each to read. */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is the global the evaluated source defines
    const axe = (window as any).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    // biome-ignore lint/suspicious/noExplicitAny: axe's result objects, reduced to what a report needs
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // biome-ignore lint/suspicious/noExplicitAny: as above
      targets: v.nodes.slice(0, 5).map((n: any) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join(" ")}`),
    }));
  }, TAGS);
  return (violations as AxeFinding[]).filter((v) => v.impact === "serious" || v.impact === "critical");
}

export function describeFindings(findings: AxeFinding[]): string {
  return findings.map((f) => `${f.impact} ${f.id}: ${f.help}\n    ${f.targets.join("\n    ")}`).join("\n");
}

/** How far the page scrolls sideways at its current viewport (0 when it fits). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}
