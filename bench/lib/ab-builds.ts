// The two hub builds an A/B tool sets side by side (tools/ab-hub.ts, q1-pace.ts,
// alloc-flow.ts, q1-burst.ts), read from the environment one way for all of them:
// AB_BUNDLE_A / AB_BUNDLE: another build of hub A / hub B (dist/<name>.mjs or a copy of
// dist/ beside it, bundled from another commit), relative to the current directory;
// AB_ENV: hub B's extra environment, "K=V K=V" (a value may hold "=": split at the first).
import path from "node:path";

export type AbBuilds = {
  /** Hub A's bundle, absolute; undefined: built from this tree. */
  bundleA: string | undefined;
  /** Hub B's bundle, absolute; undefined: built from this tree. */
  bundleB: string | undefined;
  /** Hub B's environment on top of the bench's. */
  envB: Record<string, string>;
  /** Whether B differs from A at all (an AB_ENV or an AB_BUNDLE was given). */
  hasB: boolean;
};

/** Splits "K=V K=V" at whitespace, each pair at its first "=" (NODE_OPTIONS=--max-semi-space-size=2). */
export function parseAbEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of text.split(/\s+/)) {
    const eq = kv.indexOf("=");
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

export function abBuilds(env: Record<string, string | undefined> = process.env): AbBuilds {
  // Resolved here: the hub is started with the project root as its directory, not the caller's.
  const resolve = (file: string | undefined) => (file ? path.resolve(file) : undefined);
  return {
    bundleA: resolve(env.AB_BUNDLE_A),
    bundleB: resolve(env.AB_BUNDLE),
    envB: parseAbEnv(env.AB_ENV ?? ""),
    hasB: Boolean(env.AB_ENV || env.AB_BUNDLE),
  };
}
