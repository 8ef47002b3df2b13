"use client";

import { useEffect } from "react";
import { LAST_VALUES_KEY } from "@/lib/last-values";

/** The service worker's page caches (public/sw.js): HTML rendered for whoever was signed in. */
const PAGE_CACHE_PREFIX = "hearth-pages-";

/**
 * Rendered by the signed-out layout (login, onboarding): nobody is signed in in this
 * browser any more, so what it kept for the last person goes — the pages the service
 * worker cached (with their name, readings and alerts) and the last values kept for
 * offline starts. Without this, the next person to open the app while the hub is slow
 * or away was shown the previous person's dashboard. Scripts and styles stay cached:
 * they hold nobody's data.
 */
export function ForgetSignedOut() {
  useEffect(() => {
    try {
      localStorage.removeItem(LAST_VALUES_KEY);
    } catch {
      // Storage disabled (private mode): nothing was kept.
    }
    if (typeof caches === "undefined") return;
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PAGE_CACHE_PREFIX)).map((key) => caches.delete(key))))
      .catch((error: unknown) => console.warn("hearth: could not forget the cached pages:", error));
  }, []);
  return null;
}
