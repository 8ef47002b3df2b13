import type { NextConfig } from "next";

// One id per build (issue 7): the service worker is registered as /sw.js?v=<id>, so a
// new build installs a new worker, which replaces the old one and its caches.
const buildId = process.env.HEARTH_BUILD_ID ?? new Date().toISOString().replace(/\D/g, "").slice(0, 14);

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
  // A native addon: loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3"],
  generateBuildId: async () => buildId,
  env: { HEARTH_BUILD_ID: buildId },
};

export default config;
