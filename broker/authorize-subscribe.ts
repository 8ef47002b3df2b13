// The broker's `authorizeSubscribe` hook: a refused filter gets a failure in the
// SUBACK (0x80, MQTT 3.1.1 §3.9.3) and the connection stays up.
import type { Client, Subscription } from "aedes";
import { maySubscribe } from "../lib/auth/roles";
import type { Logger } from "../lib/log";
import type { Principals } from "./principals";

/** `extra`: a further check (limits.ts) whose error disconnects the client. */
export function createAuthorizeSubscribe(opts: { principals: Principals; log: Logger; extra?: (client: Client, sub: Subscription) => Error | null }) {
  const { principals, log } = opts;
  return function authorizeSubscribe(client: Client, sub: Subscription, done: (error: Error | null, sub?: Subscription | null) => void) {
    const principal = principals.get(client);
    if (!principal || !maySubscribe(principal, sub.topic)) {
      log.warn("subscription refused", { code: "subscribe-denied", client: client.id, filter: sub.topic });
      return done(null, null);
    }
    const error = opts.extra?.(client, sub) ?? null;
    done(error, error ? null : sub);
  };
}
