// Is a state-changing request from one of the hub's own pages? Browsers say where a request
// comes from; programs (curl, a script with a cookie it was given) say nothing and are judged
// by their session alone.
//
// SameSite=Lax keeps the session cookie off other *sites*' requests, but every port of the hub's
// host name and every sub-domain of its domain is the same site: Home Assistant on :8123, a
// router page, Node-RED. A page there could POST with the person's cookie. So a request that
// names an origin must name this one.

/** The host part of an Origin header ("http://hub.local:3000" → "hub.local:3000"); null if it is not a URL ("null" from a sandbox). */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** True when the Origin header names the host the request was sent to. */
export function sameOrigin(origin: string, host: string | undefined | null): boolean {
  const from = originHost(origin);
  return from !== null && host !== undefined && host !== null && from === host.toLowerCase();
}

export type CrossSiteRefusal = { code: "cross-origin"; message: string };

/**
 * Why a state-changing request must be refused as coming from another page, or null.
 * `host` is the host the browser addressed: behind a reverse proxy that rewrites Host, the one it
 * forwards (X-Forwarded-Host), as Next itself compares for server actions. A page elsewhere
 * cannot set that header without a CORS preflight, which the hub never grants.
 */
export function crossSiteRefusal(headers: Headers): CrossSiteRefusal | null {
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return { code: "cross-origin", message: `a ${site} page may not change the hub's state` };
  }
  const origin = headers.get("origin");
  if (origin === null) return null;
  const host = headers.get("x-forwarded-host")?.split(",")[0].trim() ?? headers.get("host");
  return sameOrigin(origin, host) ? null : { code: "cross-origin", message: `a page on ${origin} may not change the hub's state` };
}
