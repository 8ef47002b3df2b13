// `node --import tsx bench/tools/first-load-js.ts [/ /kiosk …]`: the first-load JS of
// pages in the last `next build`, the figure `next build` printed before Next 16
// dropped it: the framework's root chunks plus the route's layout and page chunks,
// raw and gzipped (what a browser downloads from the hub, which compresses).
// Chunks a page loads later (next/dynamic) are not counted: that is the point of them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const NEXT = path.resolve(import.meta.dirname, "../../.next");

/** The chunks a route's first load needs, from the build's manifests. */
function firstLoadChunks(route: string): string[] {
  const dir = route === "/" ? "" : route.replace(/^\//, "");
  const server = path.join(NEXT, "server/app", dir);
  const build = JSON.parse(readFileSync(path.join(server, "page/build-manifest.json"), "utf8")) as { rootMainFiles: string[] };
  const sandbox = { self: {} as Record<string, unknown> } as { self: { __RSC_MANIFEST?: Record<string, { entryJSFiles: Record<string, string[]> }> } };
  new Function("self", "globalThis", readFileSync(path.join(server, "page_client-reference-manifest.js"), "utf8"))(sandbox.self, sandbox.self);
  const manifest = Object.values(sandbox.self.__RSC_MANIFEST ?? {})[0];
  if (!manifest) throw new Error(`no client reference manifest for ${route}`);
  const entries = Object.entries(manifest.entryJSFiles).filter(([k]) => k === "[project]/app/layout" || k.startsWith(`[project]/app/${dir ? `${dir}/` : ""}page`));
  return [...new Set([...build.rootMainFiles, ...entries.flatMap(([, files]) => files)])];
}

function sizes(route: string) {
  let raw = 0;
  let gzip = 0;
  const chunks = firstLoadChunks(route);
  for (const chunk of chunks) {
    const bytes = readFileSync(path.join(NEXT, chunk));
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return { route, chunks: chunks.length, rawKB: Math.round(raw / 1000), gzipKB: Math.round(gzip / 1000) };
}

const routes = process.argv.slice(2);
for (const route of routes.length ? routes : ["/", "/kiosk", "/rooms/[room]"]) {
  const s = sizes(route);
  console.log(`${s.route.padEnd(16)} first-load JS ${String(s.gzipKB).padStart(4)} kB gzipped, ${String(s.rawKB).padStart(5)} kB raw (${s.chunks} chunks)`);
}
