"use client";

import { useEffect } from "react";

/** Set at build time by next.config.ts: each build registers its own worker (public/sw.js). */
const BUILD_ID = process.env.HEARTH_BUILD_ID ?? "dev";

/**
 * Registers the service worker (issue 7). When a newer build's worker takes over a
 * page that already had one, the page reloads once, so the new HTML and JavaScript
 * run together instead of the old bundle talking to a new hub.
 */
export function ServiceWorker() {
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
