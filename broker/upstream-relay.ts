// The browser's /mqtt with an upstream broker (issue 14). Hearth's own broker keeps
// serving the dashboard's WebSocket — authenticated by the login session and held to
// the person's role by the same hooks as always — but listens for nothing else, and
// this relay joins it to the upstream broker through the Bus:
//  - mirror: every message from upstream (the bus's one `#` subscription) is published
//    into the local broker, retained ones retained, so a page that opens later gets
//    the current states from the local copy;
//  - forward: what a browser publishes (and its role allowed) goes upstream with
//    Hearth's own credentials, and the browser's PUBACK waits for the broker's; the
//    echo that comes back is not shown twice (lib/echo-filter.ts).
// One upstream connection however many pages are open; no broker password in the page.
// Chosen over a connection per browser, which would need the page's MQTT version on the
// upstream broker (NATS speaks 3.1.1 only), a second ACL on raw packets, and a session
// per tab on the user's broker.
import { createEchoFilter } from "../lib/echo-filter";
import type { Principal } from "../lib/auth/roles";
import type { Logger } from "../lib/log";
import type { BusMessage } from "./bus";
import type { Broker } from "./mqtt/broker";
import { ReasonCode, type BrokerHook } from "./mqtt/hooks";
import type { Principals } from "./principals";
import type { UpstreamBus } from "./upstream-bus";

export type Relay = {
  /** The local broker's hooks in this mode: who may connect, and forwarding upstream. */
  hooks: BrokerHook<Principal>[];
  /** Starts mirroring upstream into `broker`; call before the bus starts, so nothing queued is missed. */
  mirror(broker: Pick<Broker, "publish">): Promise<() => Promise<void>>;
};

export function createRelay(opts: { bus: UpstreamBus; principals: Pick<Principals, "fromRequest">; log: Logger; server: string }): Relay {
  const { bus, principals, log } = opts;
  const echoes = createEchoFilter();
  /** Topics with a retained copy in the mirror (for MQTT 3.1.1, below). */
  const retained = new Set<string>();

  // Only a browser with a login session: devices and programs belong on the upstream broker,
  // and anything else here would publish upstream under Hearth's own account.
  const browserOnly: BrokerHook<Principal> = {
    async authenticate(client) {
      const principal = principals.fromRequest(client.req);
      if (principal?.kind === "user") return { ok: true, principal };
      log.info("refused a non-browser MQTT connection: devices connect to the upstream broker", {
        code: "upstream-mode-browser-only",
        client: client.clientId,
        server: opts.server,
      });
      return {
        ok: false,
        refusal: {
          code: "upstream-mode-browser-only",
          reasonCode: ReasonCode.notAuthorized,
          message: `Hearth relays only the dashboard here; devices connect to the upstream broker ${opts.server}`,
        },
      };
    },
  };

  const forward: BrokerHook<Principal> = {
    onPublished(message) {
      if (message.clientId === null) return; // the mirror's own copy of an upstream message
      // A switch command must not wait out an outage and fire minutes later: refused now,
      // the page's toggle reverts (its PUBACK never says "stored"). bus.command also refuses
      // when the link drops, or stays silent, before the broker's PUBACK (review-5 finding 14).
      if (!bus.connected()) return Promise.reject(new Error(`upstream-unavailable: the broker ${opts.server} is not connected`));
      echoes.expect(message.topic, message.payload);
      // QoS 2 becomes 1: NATS has no QoS 2, and the hub's services treat both alike.
      return bus.command(message.topic, message.payload, { qos: message.qos === 0 ? 0 : 1, retain: message.retain });
    },
  };

  const mirrorOne = (broker: Pick<Broker, "publish">, message: BusMessage) => {
    const { topic, payload } = message;
    if (echoes.take(topic, payload)) return;
    // In MQTT 3.1.1 a message reaches an existing subscription with its retain flag
    // cleared (§3.3.1.3), so a retained `…/state` that changes while Hearth listens
    // looks live. A topic the mirror holds retained stays retained with its new value.
    // So is one Hearth itself last published retained (alert states). MQTT 5 keeps the
    // flag (Retain As Published, upstream-bus.ts) and needs no guess.
    const retain = message.retain || (bus.protocolVersion === 4 && (retained.has(topic) || bus.publishedRetained(topic)));
    if (retain && payload.length === 0) retained.delete(topic);
    else if (retain) retained.add(topic);
    broker.publish({ topic, payload, qos: message.qos, retain }).catch((error: Error) => {
      log.warn("could not mirror an upstream message to the dashboard", { code: "upstream-mirror-failed", topic, error: error.message });
    });
  };

  return {
    hooks: [browserOnly, forward],
    mirror: (broker) => bus.subscribe("#", (message) => mirrorOne(broker, message)),
  };
}
