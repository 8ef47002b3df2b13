// The hub runs from one JavaScript file that esbuild bundles from broker/main.ts and
// the lib/ modules it imports (dependencies stay in node_modules). Running it with
// `node --import tsx` instead costs about 80 MB of RSS (tsx's loader thread, and its
// hooks and source maps on every module Next.js loads) and a second more at start
// (bench/README.md, "memory"). The bundle takes about 50 ms, so it is built on every
// start and test run rather than checked for staleness.
//   node --import tsx scripts/build-hub.ts
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * What `npm start`, the e2e hub and the bench run: `node dist/hub.mjs`. broker/hub.ts finds
 * the app one level above its own file, so dist/ must sit where broker/ does.
 */
export const HUB_BUNDLE = path.join(ROOT, "dist", "hub.mjs");

/** Bundles one TypeScript entry point for Node 20, leaving packages to node_modules. */
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
    banner: { js: "// Built by scripts/build-hub.ts from broker/main.ts; do not edit." },
  });
}

export const buildHub = () => bundle("broker/main.ts", HUB_BUNDLE);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildHub();
}
