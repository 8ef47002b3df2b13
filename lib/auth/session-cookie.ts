// The session cookie's name and attributes, shared by the login action, the proxy
// and the WebSocket upgrade. HttpOnly: page scripts never see the token.
// SameSite=Lax: sent when a person follows a link to the hub, never on another
// site's requests. Another port or sub-domain of the hub's host is the same site,
// though, and does get it: state-changing requests are checked for their origin too
// (lib/auth/same-origin.ts; Next does it for server actions).
export const SESSION_COOKIE = "hearth_session";

export function sessionCookieOptions(secure: boolean, maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: "lax" as const, secure, path: "/", maxAge: maxAgeSeconds };
}

/** One cookie's value from a Cookie header, for code outside Next's request APIs. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
