// The first gate: no page or API of the dashboard without a session. Pages and
// actions check again (lib/auth/current-user.ts); this keeps an anonymous visitor
// from reaching anything but the login and onboarding pages, the database's state and static assets.
import { NextResponse, type NextRequest } from "next/server";
import { getHub } from "@/lib/hub-link";
import { PUBLIC_PAGE_HEADER } from "@/lib/auth/request-headers";
import { crossSiteRefusal } from "@/lib/auth/same-origin";
import { createLogger } from "@/lib/log";
import { SESSION_COOKIE } from "@/lib/auth/session-cookie";

const log = createLogger("api");
const PUBLIC_PAGES = new Set(["/login", "/onboarding"]);
/** Read by the login page's database notice; it answers a signed-out visitor without the database's name. */
const PUBLIC_APIS = new Set(["/api/database"]);
/** Requests that change nothing; every other method on /api/ must come from the hub's own pages or from a program. */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (PUBLIC_PAGES.has(pathname)) {
    const headers = new Headers(request.headers);
    headers.set(PUBLIC_PAGE_HEADER, "1");
    return NextResponse.next({ request: { headers } });
  }
  if (PUBLIC_APIS.has(pathname)) return NextResponse.next();
  if (pathname.startsWith("/api/") && !READ_METHODS.has(request.method)) {
    // Server actions get the same check from Next itself; route handlers get it here, once.
    const refusal = crossSiteRefusal(request.headers);
    if (refusal !== null) {
      log.warn("refused a request", { code: refusal.code, method: request.method, path: pathname, origin: request.headers.get("origin") ?? "-" });
      return NextResponse.json({ error: refusal }, { status: 403 });
    }
  }
  const token = request.cookies.get(SESSION_COOKIE)?.value;
  // In the hub process the session is checked for real; elsewhere a cookie must at least be there.
  const hub = getHub();
  const signedIn = token !== undefined && (hub === null || (await hub.accounts.sessionByToken(token).catch(() => null)) !== null);
  if (signedIn) return NextResponse.next();
  if (pathname.startsWith("/api/")) {
    return NextResponse.json({ error: { code: "unauthenticated", message: "log in first" } }, { status: 401 });
  }
  const login = new URL("/login", request.url);
  if (pathname !== "/") login.searchParams.set("next", pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  // Static assets and the app icon and manifest stay public: the login page needs them.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg|manifest.webmanifest|sw.js|.*\\.(?:png|svg|ico|webmanifest)$).*)"],
};
