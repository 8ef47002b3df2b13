// The broker's `authorizeSubscribe` hook: a filter the principal may not read
// (lib/auth/roles.ts) is refused in the SUBACK — 0x87 in MQTT 5, 0x80 in 3.1.1
// (§3.9.3) — and the connection stays up. A shared subscription is judged by its
// filter: `$share/<group>/home/#` reads what `home/#` reads (MQTT 5.0 §4.8.2).
import { maySubscribe, type Principal } from "../lib/auth/roles";
import type { Logger } from "../lib/log";
import { splitSharedFilter } from "../lib/topic-trie";
import { ReasonCode, type BrokerHook } from "./mqtt/hooks";

export function createAuthorizeSubscribe(opts: { log: Logger }): BrokerHook<Principal> {
  const { log } = opts;
  return {
    authorizeSubscribe(client, { filter }) {
      // The broker checked the filter before asking: a malformed $share never gets here.
      if (maySubscribe(client.principal, splitSharedFilter(filter)?.filter ?? filter)) return null;
      log.warn("subscription refused", { code: "subscribe-denied", client: client.clientId, filter });
      return { code: "subscribe-denied", reasonCode: ReasonCode.notAuthorized, message: `not allowed to subscribe to ${filter}` };
    },
  };
}
