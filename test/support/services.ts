/**
 * A suite that needs an outside component (MariaDB, Chromium, …) calls this: when the
 * component is missing it prints one loud line and the suite skips — unless CI=true,
 * where a missing component fails the run.
 */
export function requireOrSkip(component: string, problem: string | null, howToInstall: string): boolean {
  if (!problem) return true;
  const line = `*** ${component} is not available (${problem}); install it: ${howToInstall} ***`;
  if (process.env.CI === "true") throw new Error(`${line} — required because CI=true`);
  process.stderr.write(`\n${line}\n*** The tests that need ${component} are SKIPPED. ***\n\n`);
  return false;
}
