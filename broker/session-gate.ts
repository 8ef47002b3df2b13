// The browser's MQTT connection rides on its login session: the WebSocket upgrade
// on /mqtt is accepted only with a live session cookie, and the connection is
// closed when that session ends (logout, expiry, a deleted user) or its user's role
// changes (the page reconnects with the new role's rights).
//
// A request with an Origin header may come from a browser. It must be same-origin,
// else any web page the person visits could open ws://hub/mqtt from their browser.
// With a session cookie it is that person; a cookie that names no live session is
// refused (the page goes to the login form). With no cookie at all it is let through
// to CONNECT but marked sessionless: it gets no loopback trust (a page must not be
// taken for a trusted local client) and must bring a device account, which is how
// Home Assistant's paho-mqtt connects over WebSocket, since it sends an Origin too.
// Without an Origin it is a program (mqtt.js in Node, a device over WebSocket) and
// authenticates at CONNECT like one on TCP.
import type { IncomingMessage } from "node:http";
import type { AccountStore, Session } from "../lib/auth/account-store";
import { sameOrigin } from "../lib/auth/same-origin";
import { readCookie, SESSION_COOKIE } from "../lib/auth/session-cookie";
import { databaseFaultCode } from "../lib/database-fault";
import type { Logger } from "../lib/log";
import type { Principal } from "../lib/auth/roles";
import { keepsRights, type UserChange } from "../lib/auth/user-change";
import type { HubApi } from "../lib/hub-api";
import type { Principals } from "./principals";

/** MQTT 5 "Administrative action" (§3.14.2.1): the session was ended or its role changed. */
const ADMINISTRATIVE_ACTION = 0x98;

export type UpgradeDecision = { ok: true } | { ok: false; status: 401 | 403 | 503; code: "no-session" | "cross-origin" | "accounts-unavailable" };

/** How often live browser connections are checked against their sessions. */
export const SESSION_SWEEP_MS = 2_000;

export function createSessionGate(opts: { accounts: AccountStore; principals: Principals; log: Logger; sweepMs?: number }) {
  const { accounts, principals, log } = opts;

  const checkUpgrade = async (req: IncomingMessage): Promise<UpgradeDecision> => {
    const origin = req.headers.origin;
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (origin === undefined && token === null) return { ok: true };
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) return { ok: false, status: 403, code: "cross-origin" };
    if (token === null) {
      principals.markSessionless(req);
      return { ok: true };
    }
    let session: Session | null;
    try {
      session = await accounts.sessionByToken(token);
    } catch (error) {
      // The accounts' database is away and this session was not seen live before it went.
      log.warn("cannot check a session", { code: databaseFaultCode(error) ?? "accounts-failed", error: (error as Error).message });
      return { ok: false, status: 503, code: "accounts-unavailable" };
    }
    if (!session) return { ok: false, status: 401, code: "no-session" };
    principals.bindRequest(req, { kind: "user", username: session.username, role: session.role, sessionId: session.id });
    return { ok: true };
  };

  const drop = (sessionId: string, reason: string, only?: (principal: Principal) => boolean) => {
    const clients = principals.clientsBySession().get(sessionId);
    if (!clients) return;
    for (const client of [...clients]) {
      if (only && !only(client.principal)) continue;
      log.info("closing a browser connection", { code: reason === "role changed" ? "role-changed" : "session-ended", client: client.clientId, reason });
      client.close(ADMINISTRATIVE_ACTION, reason);
    }
  };

  /** The user's connections that `change` takes rights from; names compare case-insensitively, as accounts do. */
  const dropChanged = (username: string, change: UserChange) => {
    const name = username.toLowerCase();
    const reason = change.kind === "role" ? "role changed" : change.kind === "deleted" ? "user deleted" : "password reset";
    for (const sessionId of [...principals.clientsBySession().keys()]) {
      drop(sessionId, reason, (p) => p.kind === "user" && p.username.toLowerCase() === name && !keepsRights(p, change));
    }
  };

  let sweeping = false;
  /** While the accounts cannot be read, one log line, not one per sweep. */
  let failing = false;
  const sweep = async () => {
    // A slow database must not pile sweeps up.
    if (sweeping) return;
    sweeping = true;
    try {
      for (const sessionId of [...principals.clientsBySession().keys()]) {
        const role = await accounts.liveSessionRole(sessionId);
        if (role === null) drop(sessionId, "expired or ended");
        else drop(sessionId, "role changed", (p) => p.kind === "user" && p.role !== role);
      }
      failing = false;
    } catch (error) {
      // Nobody is dropped while the accounts cannot be read: no session can end meanwhile either.
      if (!failing) log.error("session sweep failed; retrying", { code: databaseFaultCode(error) ?? undefined, error: (error as Error).message });
      failing = true;
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), opts.sweepMs ?? SESSION_SWEEP_MS);
  timer.unref();

  return {
    checkUpgrade,
    /** HubApi's sessions, for the web thread. */
    api: {
      /** A logout on the web thread: this thread's accounts end the session too, and its connections close. */
      drop(tokenHash, sessionId) {
        const id = accounts.endedElsewhere(tokenHash, sessionId);
        if (id !== null) drop(id, "logged out");
      },
      ended: () => accounts.undeletedSessions(),
      /**
       * An admin (or the user) changed the user on the web thread: the connections the change
       * takes rights from close now, whether or not the accounts' database answers (the sweep
       * would wait for it, and skips while it is away).
       */
      forget(username, change) {
        accounts.forgetUser(username);
        dropChanged(username, change);
      },
    } satisfies HubApi["sessions"],
    stop: () => clearInterval(timer),
  };
}
