// Hearth's service worker (issue 7). Hand-written: @serwist/next needs webpack builds
// here (shared/STACK-NOTES.md). Registered by components/service-worker.tsx as
// /sw.js?v=<build id>, so every build is a new worker with its own caches.
//
// - Pages: network first, so an online page is always the current build's HTML; the
//   last good copy of each page is kept for when the hub is unreachable. A copy shown
//   because the hub was slow is replaced by the hub's answer when it comes.
// - /_next/static/… and icons: cache first; their names carry a content hash.
// - API calls, RSC fetches and the MQTT socket are never cached.
// A new version takes over at once (skipWaiting + claim) and deletes the old
// caches; the page reloads on `controllerchange`, so no stale JavaScript runs.
const VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
const PAGES = `hearth-pages-${VERSION}`;
const ASSETS = `hearth-assets-${VERSION}`;
/** Opened once online, so the app starts offline even on a page not visited yet. */
const SHELL = ["/", "/kiosk"];
/** A hub that does not answer in this long is treated as unreachable (a stalled Wi-Fi). */
const NETWORK_TIMEOUT_MS = 4000;
/** How much longer a page with no copy of its own waits before the home page stands in. */
const SLOW_HUB_MS = 20000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    Promise.all(SHELL.map((path) => fetch(path).then((response) => keepPage(path, response)).catch(() => undefined)))
      // A shell page that fails to load must not block the new version.
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("hearth-") && k !== PAGES && k !== ASSETS).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/mqtt" || url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;
  if (request.mode === "navigate") {
    event.respondWith(page(event));
    return;
  }
  // Next's RSC fetches (client navigation): a failure makes Next fall back to a full load.
  if (request.headers.get("RSC") || url.searchParams.has("_rsc")) return;
  if (url.pathname.startsWith("/_next/static/") || url.pathname.startsWith("/icons/")) {
    event.respondWith(cacheFirst(request));
    return;
  }
  event.respondWith(networkFirst(request, ASSETS));
});

/**
 * Pages answered from the cache while the hub had not answered yet, by the id of the window
 * they became: whether the hub's own answer came after all (true once it is kept). Asked
 * for by the page (components/service-worker.tsx) once it runs.
 */
const savedCopies = new Map();

async function page(event) {
  const request = event.request;
  const network = fetch(request);
  // Kept after the page is answered, even when the timeout answered first.
  const kept = network.then(async (response) => {
    await keepPage(request.url, response.clone());
    return response.ok;
  });
  event.waitUntil(kept.catch(() => undefined));
  try {
    return await withTimeout(network, NETWORK_TIMEOUT_MS);
  } catch {
    const cache = await caches.open(PAGES);
    const own =
      (await cache.match(request.url, { ignoreVary: true })) ??
      // /kiosk?lock=1 offline: the kiosk page cached without its settings still beats the home page.
      (await cache.match(request.url, { ignoreVary: true, ignoreSearch: true }));
    if (own) {
      // The copy is only as new as the last visit. A hub that is merely slow (the first
      // render of a route after a restart) answers later: the page must then show the hub's
      // answer, not its old users/devices/rules as if they were current (review-12 F3).
      if (event.resultingClientId) savedCopies.set(event.resultingClientId, kept.catch(() => false));
      return own;
    }
    // Only another page is cached. A hub that answers slowly (the first page of each route
    // after a restart took 5.2 s on a busy machine) is not an unreachable one: showing the
    // home page under the address of the page asked for would leave a person on the wrong
    // page with nothing to say so. Wait for the hub unless it is really away: a refused
    // connection rejects at once, a stalled network gives up after SLOW_HUB_MS.
    try {
      return await withTimeout(network, SLOW_HUB_MS);
    } catch {
      const home = await cache.match("/", { ignoreVary: true });
      if (home) return home;
    }
    return new Response("<!doctype html><title>Hearth</title><p>Hearth is unreachable and this page was never opened here.</p>", {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  }
}

// A page asks once it runs: "was I a saved copy, and has the hub answered since?" The
// answer waits for the hub (or its failure: an unreachable hub leaves the copy, marked stale
// by the page's own connection notice). Asked, not told: a message sent before the page
// listens would be lost.
self.addEventListener("message", (event) => {
  const port = event.ports[0];
  if (event.data?.type !== "saved-copy?" || !port || !event.source) return;
  const answer = savedCopies.get(event.source.id) ?? Promise.resolve(false);
  savedCopies.delete(event.source.id);
  event.waitUntil(answer.then((fresh) => port.postMessage({ fresh })));
});

/**
 * Keeps a page that came from the hub, with every script, style sheet and font it names: the
 * page that registered this worker loaded its JavaScript before the worker was
 * there to see it, and a page without its JavaScript would not come alive offline.
 */
async function keepPage(url, response) {
  // A page that answered with another (signed out: the login page) is not that page.
  if (response.ok && response.type === "basic" && !response.redirected) {
    const [pages, assets] = await Promise.all([caches.open(PAGES), caches.open(ASSETS)]);
    const html = await response.clone().text();
    await pages.put(url, response);
    // Hashed names, in <script>/<link> tags and in the RSC payload (where quotes are escaped).
    const urls = new Set(html.match(/\/_next\/static\/[^"'\\\s)<>]+/g) ?? []);
    await Promise.all(
      [...urls].map(async (assetUrl) => {
        if (await assets.match(assetUrl)) return;
        const asset = await fetch(assetUrl).catch(() => null);
        if (asset?.ok) await assets.put(assetUrl, asset);
      }),
    );
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
