// JavaScript, not TypeScript: Next compiles a next.config.ts with SWC's native binding
// (@next/swc-*, a 100 MB .node file) every time a server starts, also `next()` in the
// hub's web thread, which then kept ~24 MB of it resident for as long as the hub ran
// (issue 12's memory budget; bench/README.md, "Memory, third pass"). A .mjs is imported
// as it is. Editors type it through the JSDoc below; tsc does not check .mjs files.

// One id per build (issue 7): the service worker is registered as /sw.js?v=<id>, so a
// new build installs a new worker, which replaces the old one and its caches.
const buildId = process.env.HEARTH_BUILD_ID ?? new Date().toISOString().replace(/\D/g, "").slice(0, 14);

/** @type {import("next").NextConfig} */
const config = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
  // Each route's modules load on its first request instead of all at start: a page nobody
  // opens costs the hub no memory (issue 12: −4 MB, 610 → 472 modules in the web thread).
  //
  // turbopackFileSystemCacheForBuild (Next 16's default: on) writes Turbopack's cache to .next/cache
  // for the next build to reuse, beside the type check: 16-17 s of a fresh clone's build, on the two
  // cores better-sqlite3's compile needs, for a cache a fresh clone (CI) never reads. npm test turns
  // it off there (HEARTH_NEXT_BUILD_CACHE=0, scripts/test.sh); a rebuild of a working tree keeps it.
  experimental: { preloadEntriesOnStart: false, turbopackFileSystemCacheForBuild: process.env.HEARTH_NEXT_BUILD_CACHE !== "0" },
  // A native addon: loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3"],
  generateBuildId: async () => buildId,
  env: { HEARTH_BUILD_ID: buildId },
};

export default config;
