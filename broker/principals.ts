// Who each MQTT connection belongs to is decided once at CONNECT (authenticate.ts)
// and travels with the connection as its ClientInfo's `principal`. What is kept
// here: the principal a WebSocket upgrade's session cookie named (session-gate.ts
// checked it before the upgrade), and which live connections hang on which browser
// session, so ending a session closes them. A hook: it follows connects and disconnects.
import type { IncomingMessage } from "node:http";
import type { Principal } from "../lib/auth/roles";
import type { BrokerHook, ClientInfo } from "./mqtt/hooks";

export type PrincipalClient = ClientInfo<Principal>;

export type Principals = BrokerHook<Principal> & {
  /** The session a WebSocket upgrade carried, checked before the upgrade was accepted. */
  bindRequest(req: IncomingMessage, principal: Principal): void;
  fromRequest(req: IncomingMessage | undefined): Principal | null;
  /** A same-origin upgrade that sent an Origin but no session: a hub page signed out, or a program that sends Origin (paho-mqtt does). */
  markSessionless(req: IncomingMessage): void;
  /** Such a connection gets no loopback trust: it must bring a device account. */
  isSessionless(req: IncomingMessage | undefined): boolean;
  /** Live connections opened with each session id. */
  clientsBySession(): ReadonlyMap<string, ReadonlySet<PrincipalClient>>;
};

export function createPrincipals(): Principals {
  const byRequest = new WeakMap<IncomingMessage, Principal>();
  const sessionless = new WeakSet<IncomingMessage>();
  const sessions = new Map<string, Set<PrincipalClient>>();
  return {
    bindRequest: (req, principal) => void byRequest.set(req, principal),
    fromRequest: (req) => (req ? (byRequest.get(req) ?? null) : null),
    markSessionless: (req) => void sessionless.add(req),
    isSessionless: (req) => (req ? sessionless.has(req) : false),
    onConnected(client) {
      const { principal } = client;
      if (principal.kind !== "user") return;
      const set = sessions.get(principal.sessionId) ?? new Set();
      set.add(client);
      sessions.set(principal.sessionId, set);
    },
    onDisconnected(client) {
      const { principal } = client;
      if (principal.kind !== "user") return;
      const set = sessions.get(principal.sessionId);
      set?.delete(client);
      if (set?.size === 0) sessions.delete(principal.sessionId);
    },
    clientsBySession: () => sessions,
  };
}

export { isLoopback } from "../lib/auth/client-address";
