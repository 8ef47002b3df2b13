// The broker's `authenticate` hook: decides who a connection is, once, at CONNECT.
// - a WebSocket whose upgrade carried a live session is that user (http-server.ts
//   checked the cookie; no MQTT password ever reaches the browser);
// - the hub's own clients (the simulated home) use INTERNAL_USER from loopback;
// - a username and password are a device account's;
// - no credentials is anonymous: from loopback only by default, like Mosquitto 2,
//   held to `auth.anonymousTopics`; never for a sessionless WebSocket with an
//   Origin (session-gate.ts), which may be a web page, nor for a WebSocket that
//   came through a reverse proxy (its peer is the proxy, so every stranger behind
//   a proxy on this machine would look local: review-8 F1).
// A refusal carries an MQTT 5 reason code; the broker sends 3.1.1 clients its CONNACK
// equivalent (0x86 → 4 bad user name or password, 0x87 → 5 not authorized).
import type { AccountStore } from "../lib/auth/account-store";
import type { LoginThrottle } from "../lib/auth/login-throttle";
import type { AnonymousTopics, Principal } from "../lib/auth/roles";
import type { AnonymousMqtt } from "../lib/config";
import type { Logger } from "../lib/log";
import { cameThroughProxy } from "./web-splice";
import { ReasonCode, type AuthResult, type BrokerHook, type ClientInfo, type Refusal } from "./mqtt/hooks";
import { clientAddress, type ProxyHeader } from "../lib/auth/client-address";
import { isLoopback, type Principals } from "./principals";

export type AuthRefusalCode =
  | "bad-credentials"
  | "auth-throttled"
  | "anonymous-not-allowed"
  | "anonymous-not-loopback"
  | "anonymous-proxied"
  | "anonymous-websocket"
  | "anonymous-sessionless-origin"
  | "auth-failed";

/** The username the hub's own MQTT clients use with `internalPassword`. */
export const INTERNAL_USER = "hearth-internal";

type Connecting = Omit<ClientInfo<Principal>, "principal" | "close">;

const refuse = (code: AuthRefusalCode, reasonCode: number, message: string): Refusal => ({ code, reasonCode, message });

/** The peer's address: the HTTP request's for WebSocket, else the socket's. */
export function peerAddress(client: Pick<Connecting, "req" | "remoteAddress">): string | undefined {
  return client.req?.socket.remoteAddress ?? client.remoteAddress;
}

/** Who is connecting, for the throttle and the log: through a trusted proxy, the client it names (review-8 F6). */
export function clientAddressOf(client: Pick<Connecting, "req" | "remoteAddress">, trustedProxies: readonly string[], proxyHeader?: ProxyHeader): string | undefined {
  const peer = peerAddress(client);
  return peer && client.req ? clientAddress(peer, client.req.headers, trustedProxies, proxyHeader) : peer;
}

/** The one owner every anonymous client's session has (they share one ACL). */
const ANONYMOUS_OWNER = "anonymous";

/**
 * Who owns the MQTT sessions a principal makes (hooks.ts sessionOwner): a person by name
 * (not their browser session, which changes at every login), a device by its account, and
 * every anonymous client is one owner, as they share one ACL.
 */
export function sessionOwner(principal: Principal): string {
  switch (principal.kind) {
    case "user":
      return `user:${principal.username}`;
    case "device":
      return `device:${principal.name}`;
    case "anonymous":
      return ANONYMOUS_OWNER;
    case "internal":
      return principal.kind;
  }
}

/** The device account a session's owner names (sessionOwner), or null for any other owner. */
export function deviceOfOwner(owner: string | null): string | null {
  return owner?.startsWith("device:") ? owner.slice("device:".length) : null;
}

export function createAuthenticate(opts: {
  accounts: Pick<AccountStore, "verifyDevice">;
  anonymous: AnonymousMqtt;
  /** With anonymous "loopback": whether it holds on /mqtt too (config auth.anonymousWebSocket); default no. */
  anonymousWebSocket?: boolean;
  anonymousTopics: AnonymousTopics;
  principals: Pick<Principals, "fromRequest" | "isSessionless">;
  log: Logger;
  /** Shared with the login page: password guessing over MQTT is slowed the same way. */
  throttle: LoginThrottle;
  /** A per-process secret the hub's own clients (the simulator) connect with. */
  internalPassword: string;
  /** auth.trustedProxies: whose X-Forwarded-For names the client of a /mqtt upgrade (default: none). */
  trustedProxies?: readonly string[];
  /** auth.proxyHeader: which header those proxies write. */
  proxyHeader?: ProxyHeader;
}): BrokerHook<Principal> {
  const trustedProxies = opts.trustedProxies ?? [];
  const { proxyHeader } = opts;
  const { accounts, principals, log } = opts;

  const decide = async (client: Connecting, username: string | undefined, password: Buffer | undefined): Promise<Principal | Refusal> => {
    const fromSession = principals.fromRequest(client.req);
    if (fromSession) return fromSession;
    const address = peerAddress(client);
    const sessionless = principals.isSessionless(client.req);
    // A /mqtt upgrade carrying Forwarded, X-Forwarded-*, Via or X-Ingress-Path came through a reverse proxy.
    const proxied = client.req !== undefined && cameThroughProxy(client.req.headers);
    const local = isLoopback(address) && !proxied;
    if (username !== undefined && username !== "") {
      const secret = password?.toString("utf8") ?? "";
      if (username === INTERNAL_USER && local && !sessionless && secret === opts.internalPassword) return { kind: "internal" };
      // Behind a proxy, one shared `address:127.0.0.1` would let a stranger lock every device out (review-8 F6).
      const keys = [`device:${username.toLowerCase()}`, `address:${clientAddressOf(client, trustedProxies, proxyHeader) ?? "unknown"}`];
      // Reserved before scrypt runs (review 8, F2): guesses sent all at once cannot pass the
      // check together, and a flood of them cannot tie up the thread pool either.
      if ((await opts.throttle.reserve(keys)) > 0) return refuse("auth-throttled", ReasonCode.notAuthorized, "too many failed logins; try again later");
      let device;
      try {
        device = await accounts.verifyDevice(username, secret);
      } catch (error) {
        opts.throttle.end(keys, "abandoned");
        throw error;
      }
      opts.throttle.end(keys, device ? "succeeded" : "failed");
      if (device) return { kind: "device", name: device.name, topics: device.topics, createdAt: device.createdAt };
      return refuse("bad-credentials", ReasonCode.badUserNameOrPassword, "wrong username or password");
    }
    if (sessionless) {
      return refuse("anonymous-sessionless-origin", ReasonCode.notAuthorized, "a web page connects with its login session; a program sending an Origin header needs a device account");
    }
    const anonymous: Principal = { kind: "anonymous", topics: opts.anonymousTopics };
    if (opts.anonymous === "all") return anonymous;
    if (opts.anonymous === "off") return refuse("anonymous-not-allowed", ReasonCode.notAuthorized, "anonymous MQTT is turned off; use a device account");
    if (proxied) {
      return refuse("anonymous-proxied", ReasonCode.notAuthorized, "anonymous MQTT is accepted from this machine only, not through a reverse proxy; use a device account");
    }
    // A reverse proxy on this machine that adds no forwarding header (nginx's default
    // proxy_pass) cannot be told from a local program: /mqtt gets no loopback trust unless
    // the config asks for it (review-9 F2). Local tools use the TCP listener.
    if (client.req !== undefined && !opts.anonymousWebSocket) {
      return refuse("anonymous-websocket", ReasonCode.notAuthorized, "anonymous MQTT over WebSocket is off (auth.anonymousWebSocket); use a device account or plain MQTT on this machine");
    }
    if (!local) {
      return refuse("anonymous-not-loopback", ReasonCode.notAuthorized, "anonymous MQTT is accepted from this machine only; use a device account");
    }
    return anonymous;
  };

  return {
    sessionOwner,
    // Anyone allowed in anonymously is "anonymous": such a session protects nothing, and a
    // device moving to its own account keeps its client id (review-9 F3).
    ownerYields: (owner) => owner === ANONYMOUS_OWNER,
    async authenticate(client, { username, password }): Promise<AuthResult<Principal>> {
      let decided: Principal | Refusal;
      try {
        decided = await decide(client, username, password);
      } catch (error) {
        // The account store failing (a locked or broken accounts.sqlite) refuses this client, not the broker.
        decided = refuse("auth-failed", ReasonCode.serverUnavailable, `cannot check the account: ${(error as Error).message}`);
      }
      if ("kind" in decided) return { ok: true, principal: decided };
      log.warn("connection refused", {
        code: decided.code,
        client: client.clientId,
        username,
        address: clientAddressOf(client, trustedProxies, proxyHeader),
        reason: decided.message,
      });
      return { ok: false, refusal: decided };
    },
  };
}
