/**
 * The dependency rules of docs/architecture.md, checked in CI (`npm run lint`).
 * A feature is a folder under server/ (other than core/ and cli/) or kiosk/ or print/ at the
 * top. The process entries (server/main.ts, server/server.ts, server/cli/) and the
 * composition root (server/station.ts) may import anything.
 */
const FEATURE = "^(server/(?!core/|cli/)[^/]+|kiosk|print)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Modules import each other in one direction only.",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-imports-no-feature",
      severity: "error",
      comment: "server/core is the base every feature stands on: it knows no feature and no entry.",
      from: { path: "^server/core/" },
      to: { path: "^(server|kiosk|print)/", pathNot: "^server/core/" },
    },
    {
      name: "features-meet-at-index",
      severity: "error",
      comment: "A feature uses another only through that feature's index.ts (its public face).",
      from: { path: `${FEATURE}` },
      to: { path: `${FEATURE}`, pathNot: ["^$1/", "^(server/[^/]+|kiosk|print)/index\\.ts$"] },
    },
    {
      name: "no-feature-imports-an-entry",
      severity: "error",
      comment: "Only the process entries import the composition root and each other.",
      from: { pathNot: "^(server/(main|server|station)\\.ts|server/cli/|test/|bench/|scripts/)" },
      to: { path: "^server/(main|server|station)\\.ts$|^server/cli/" },
    },
    {
      name: "tests-and-benchmarks-stay-out",
      severity: "error",
      comment: "The service never imports its tests, benchmarks or scripts.",
      from: { path: "^(server|kiosk|print|migrations)/" },
      to: { path: "^(test|bench|scripts)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)public/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
