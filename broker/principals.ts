// Who each MQTT connection belongs to, decided once at CONNECT (authenticate.ts)
// and read by the authorize hooks; and which live connections hang on which
// browser session, so ending a session closes them.
import type { IncomingMessage } from "node:http";
import type { Client } from "aedes";
import type { Principal } from "../lib/auth/roles";

export type Principals = {
  /** The session a WebSocket upgrade carried, checked before the upgrade was accepted. */
  bindRequest(req: IncomingMessage, principal: Principal): void;
  fromRequest(req: IncomingMessage | undefined): Principal | null;
  set(client: Client, principal: Principal): void;
  get(client: Client): Principal | null;
  forget(client: Client): void;
  /** Live clients opened with each session id. */
  clientsBySession(): ReadonlyMap<string, ReadonlySet<Client>>;
};

export function createPrincipals(): Principals {
  const byRequest = new WeakMap<IncomingMessage, Principal>();
  const byClient = new WeakMap<Client, Principal>();
  const sessions = new Map<string, Set<Client>>();
  return {
    bindRequest: (req, principal) => void byRequest.set(req, principal),
    fromRequest: (req) => (req ? (byRequest.get(req) ?? null) : null),
    set(client, principal) {
      byClient.set(client, principal);
      if (principal.kind === "user") {
        const set = sessions.get(principal.sessionId) ?? new Set();
        set.add(client);
        sessions.set(principal.sessionId, set);
      }
    },
    get: (client) => byClient.get(client) ?? null,
    forget(client) {
      const principal = byClient.get(client);
      if (principal?.kind !== "user") return;
      const set = sessions.get(principal.sessionId);
      set?.delete(client);
      if (set?.size === 0) sessions.delete(principal.sessionId);
    },
    clientsBySession: () => sessions,
  };
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (what a dual-stack listener reports). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

/** The peer's address: the socket's for TCP and TLS, the HTTP request's for WebSocket. */
export function remoteAddress(client: Client): string | undefined {
  return client.req?.socket.remoteAddress ?? (client.conn as { remoteAddress?: string }).remoteAddress;
}
