// Hearth's service worker (issue 7). Hand-written: @serwist/next needs webpack builds
// here (shared/STACK-NOTES.md). Registered by components/service-worker.tsx as
// /sw.js?v=<build id>, so every build is a new worker with its own caches.
//
// - Pages: network first, so an online page is always the current build's HTML; the
//   last good copy of each page is kept for when the hub is unreachable.
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

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(PAGES)
      .then((cache) => cache.addAll(SHELL))
      // A shell page that fails to load must not block the new version.
      .catch(() => undefined)
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

async function page(event) {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic") {
      const cache = await caches.open(PAGES);
      await cache.put(request.url, response.clone());
    }
    return response;
  });
  // The cache is updated even when the timeout answered first.
  event.waitUntil(network.catch(() => undefined));
  try {
    return await withTimeout(network, NETWORK_TIMEOUT_MS);
  } catch {
    const cache = await caches.open(PAGES);
    const cached =
      (await cache.match(request.url, { ignoreVary: true })) ??
      // /kiosk?lock=1 offline: the kiosk page cached without its settings still beats the home page.
      (await cache.match(request.url, { ignoreVary: true, ignoreSearch: true })) ??
      (await cache.match("/", { ignoreVary: true }));
    if (cached) return cached;
    return new Response("<!doctype html><title>Hearth</title><p>Hearth is unreachable and this page was never opened here.</p>", {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
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
