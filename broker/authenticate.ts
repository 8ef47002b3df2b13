// The broker's `authenticate` hook: decides who a connection is, once, at CONNECT.
// - a WebSocket whose upgrade carried a live session is that user (http-server.ts
//   checked the cookie; no MQTT password ever reaches the browser);
// - a username and password are a device account's;
// - no credentials is anonymous: from loopback only by default, like Mosquitto 2.
import type { AuthenticateError, Client } from "aedes";
import type { AccountStore } from "../lib/auth/account-store";
import type { LoginThrottle } from "../lib/auth/login-throttle";
import type { Principal } from "../lib/auth/roles";
import type { AnonymousMqtt } from "../lib/config";
import type { Logger } from "../lib/log";
import { isLoopback, remoteAddress, type Principals } from "./principals";

type Done = (error: AuthenticateError | null, success: boolean | null) => void;

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3). */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export type RefusalCode = "bad-credentials" | "auth-throttled" | "anonymous-not-allowed" | "anonymous-not-loopback";

function refuse(returnCode: number, code: RefusalCode, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode, code }) as AuthenticateError;
}

export function createAuthenticate(opts: {
  accounts: AccountStore;
  anonymous: AnonymousMqtt;
  principals: Principals;
  log: Logger;
  /** Shared with the login page: password guessing over MQTT is slowed the same way. */
  throttle: LoginThrottle;
  /** A per-process secret the hub's own clients (the simulator) connect with. */
  internalPassword: string;
}) {
  const { accounts, principals, log } = opts;

  const decide = async (client: Client, username: string | undefined, password: Buffer | undefined): Promise<Principal> => {
    const fromSession = principals.fromRequest(client.req);
    if (fromSession) return fromSession;
    const address = remoteAddress(client);
    if (username !== undefined && username !== "") {
      const secret = password?.toString("utf8") ?? "";
      if (username === INTERNAL_USER && isLoopback(address) && secret === opts.internalPassword) return { kind: "anonymous" };
      const keys = [`device:${username.toLowerCase()}`, `address:${address ?? "unknown"}`];
      // Refused before scrypt runs, so a flood of guesses cannot tie up the thread pool either.
      if (opts.throttle.retryAfter(keys) > 0) throw refuse(NOT_AUTHORIZED, "auth-throttled", "too many failed logins; try again later");
      const device = await accounts.verifyDevice(username, secret);
      if (device) {
        opts.throttle.succeeded([keys[0]]);
        return { kind: "device", name: device.name, topics: device.topics };
      }
      opts.throttle.failed(keys);
      throw refuse(BAD_USERNAME_OR_PASSWORD, "bad-credentials", "wrong username or password");
    }
    if (opts.anonymous === "all") return { kind: "anonymous" };
    if (opts.anonymous === "off") throw refuse(NOT_AUTHORIZED, "anonymous-not-allowed", "anonymous MQTT is turned off; use a device account");
    if (!isLoopback(address)) {
      throw refuse(NOT_AUTHORIZED, "anonymous-not-loopback", "anonymous MQTT is accepted from this machine only; use a device account");
    }
    return { kind: "anonymous" };
  };

  return function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: Done) {
    decide(client, username, password).then(
      (principal) => {
        principals.set(client, principal);
        done(null, true);
      },
      (error: AuthenticateError & { code?: string }) => {
        log.warn("connection refused", {
          code: error.code ?? "auth-failed",
          client: client.id,
          username,
          address: remoteAddress(client),
          reason: error.message,
        });
        done(error.returnCode ? error : refuse(NOT_AUTHORIZED, "bad-credentials", error.message), false);
      },
    );
  };
}

/** The username the hub's own MQTT clients use with `internalPassword`. */
export const INTERNAL_USER = "hearth-internal";
