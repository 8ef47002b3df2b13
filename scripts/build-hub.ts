// The hub runs from two JavaScript files that esbuild bundles, with the lib/ modules
// they import (dependencies stay in node_modules): dist/hub.mjs from broker/main.ts, and
// dist/web.mjs from broker/web-main.ts, the web thread's entry (Next.js), which
// broker/web-thread.ts starts from beside the hub's bundle. Running it with
// `node --import tsx` instead costs about 80 MB of RSS (tsx's loader thread, and its
// hooks and source maps on every module Next.js loads) and a second more at start
// (bench/README.md, "memory"). The bundle takes about 50 ms, so it is built on every
// start and test run rather than checked for staleness.
//   node --import tsx scripts/build-hub.ts
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * What `npm start`, the e2e hub and the bench run: `node dist/hub.mjs`. broker/hub.ts finds
 * the app one level above its own file, so dist/ must sit where broker/ does.
 */
export const HUB_BUNDLE = path.join(ROOT, "dist", "hub.mjs");
/**
 * How the hub's process is started (scripts/start.sh says the same in bash; the bench uses
 * these). Young generation capped at 2 MB a semi-space: V8 otherwise grows it to 16 MB a
 * semi-space per thread (broker, web) under a burst or a storm of connections and keeps it,
 * idle, until a major GC an idle hub never makes. glibc's malloc arenas capped at 2: one per
 * thread by default, each keeping its own freed memory. Measured (bench/README.md, issue 12):
 * RSS with 1,000 devices 213 → 172 MB, 15 s after a burst 1.32× → 1.06× the RSS before it;
 * CPU per message +4–7 % (bench/tools/ab-hub.ts, within its run-to-run spread).
 */
export const HUB_NODE_ARGS: readonly string[] = ["--max-semi-space-size=2"];
export const HUB_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
/** The web thread's entry; broker/web-thread.ts looks for it beside HUB_BUNDLE. */
export const WEB_BUNDLE = path.join(ROOT, "dist", "web.mjs");

const QUIET_DEBUG = path.join(ROOT, "scripts", "quiet-debug.cjs");

/**
 * mqtt-packet, the broker's wire format, is bundled (every other package stays in
 * node_modules) so that its `require("debug")` can be quiet-debug.cjs: a disabled debugger
 * that allocates nothing per call (that file says why). Its other imports stay external,
 * loaded through the `require` that the banner makes.
 */
const quietMqttPacket: Plugin = {
  name: "quiet-mqtt-packet",
  setup(b) {
    b.onResolve({ filter: /^mqtt-packet$/ }, (args) => ({ path: createRequire(args.resolveDir + "/").resolve("mqtt-packet") }));
    b.onResolve({ filter: /^debug$/ }, (args) => (args.importer.includes(`${path.sep}mqtt-packet${path.sep}`) ? { path: QUIET_DEBUG } : undefined));
  },
};

/** Bundles one TypeScript entry point for Node 20, leaving packages (but mqtt-packet) to node_modules. */
export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [path.resolve(ROOT, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    plugins: [quietMqttPacket],
    // For the bundled CommonJS (mqtt-packet, quiet-debug.cjs) requiring external packages.
    banner: { js: `// Built by scripts/build-hub.ts from ${entry}; do not edit.\nimport { createRequire as __hubRequire } from "node:module"; const require = __hubRequire(import.meta.url);` },
  });
}

/** The web thread's history reader threads' entry; broker/history-readers.ts looks for it beside WEB_BUNDLE. */
export const HISTORY_READER_BUNDLE = path.join(ROOT, "dist", "history-reader.mjs");

export const buildHub = async () => {
  await Promise.all([
    bundle("broker/main.ts", HUB_BUNDLE),
    bundle("broker/web-main.ts", WEB_BUNDLE),
    bundle("broker/history-reader-thread.ts", HISTORY_READER_BUNDLE),
  ]);
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildHub();
}
