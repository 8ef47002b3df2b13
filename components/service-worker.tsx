"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Set at build time by next.config.ts: each build registers its own worker (public/sw.js). */
const BUILD_ID = process.env.HEARTH_BUILD_ID ?? "dev";

/**
 * Registers the service worker (issue 7). When a newer build's worker takes over a
 * page that already had one, the page reloads once, so the new HTML and JavaScript
 * run together instead of the old bundle talking to a new hub.
 */
export function ServiceWorker() {
  useFreshAfterSavedCopy();
  useEffect(() => {
    // `next dev` rebuilds on every change: a caching worker there would only get in the way.
    if (!("serviceWorker" in navigator) || process.env.NODE_ENV !== "production") return;
    // The first worker to control a page it did not load is no change of version: only later ones reload.
    let controlled = navigator.serviceWorker.controller !== null;
    let reloading = false;
    const onControllerChange = () => {
      if (!controlled) {
        controlled = true;
        return;
      }
      if (reloading) return;
      reloading = true;
      location.reload();
    };
    navigator.serviceWorker.addEventListener("controllerchange", onControllerChange);
    navigator.serviceWorker
      .register(`/sw.js?v=${encodeURIComponent(BUILD_ID)}`, { scope: "/", updateViaCache: "none" })
      .catch((error: unknown) => console.warn("hearth: service worker registration failed:", error));
    return () => navigator.serviceWorker.removeEventListener("controllerchange", onControllerChange);
  }, []);
  return null;
}

/**
 * The worker answers a page from its cache when the hub is slower than 4 s (public/sw.js).
 * It is asked once per page load whether this page was such a saved copy; when the hub's
 * own answer has landed since, the page re-renders from the hub (server data only: what
 * someone is typing stays), so an old list of users, devices or rules is not shown as
 * current (review-12 F3).
 */
function useFreshAfterSavedCopy() {
  const router = useRouter();
  useEffect(() => {
    const worker = "serviceWorker" in navigator ? navigator.serviceWorker.controller : null;
    if (!worker) return;
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<{ fresh?: boolean }>) => {
      channel.port1.close();
      if (event.data?.fresh) router.refresh();
    };
    worker.postMessage({ type: "saved-copy?" }, [channel.port2]);
    return () => channel.port1.close();
  }, [router]);
}
