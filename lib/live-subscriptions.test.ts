// The page's subscriptions against Hearth's real broker over TCP, with mqtt.js as the
// dashboard uses it (review-7 F6): one bad or refused filter takes nothing else down,
// and the page is never "ready" (live) while a filter it wants is not granted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MqttClient } from "mqtt";
import { connectClient, until } from "../broker/mqtt/test-clients";
import { startTestBroker, type TestBroker } from "../broker/mqtt/test-server";
import { createLiveStore, type LiveStore } from "./live-store";
import { createSubscriptionSync, type SubscriptionSync } from "./live-subscriptions";

const BASE = ["homeassistant/#", "hearth/alerts/#"];

describe("live subscriptions: each SUBSCRIBE alone, never live with a filter not granted (review-7 F6)", () => {
  let t: TestBroker;
  const open: MqttClient[] = [];
  before(async () => {
    t = await startTestBroker({
      hooks: [
        {
          authorizeSubscribe: (_client, s) =>
            s.filter.startsWith("home/vault/") ? { code: "subscribe-denied", reasonCode: 0x87, message: "not yours" } : null,
        },
      ],
    });
  });
  after(async () => {
    for (const c of open) await c.endAsync();
    await t.close();
  });

  /** The broker answers one connection's packets in order: after this SUBACK, every earlier SUBSCRIBE is answered. */
  async function fence(client: MqttClient): Promise<void> {
    await client.subscribeAsync("test/fence");
  }

  /** A page: a store, its client, the sync, and the topics the client received. */
  async function page(scope: string[] | null) {
    const client = await connectClient(t.port, { protocolVersion: 4, resubscribe: false });
    open.push(client);
    const store = createLiveStore({ schedule: () => () => {} });
    const release = scope ? store.watch(scope) : () => {};
    const received: string[] = [];
    client.on("message", (topic) => received.push(topic));
    const warnings: string[] = [];
    const sync = createSubscriptionSync(client, store, { isDisposed: () => false, onChange: () => {}, warn: (m) => warnings.push(m) });
    sync.connect(BASE);
    await fence(client);
    return { client, store: store as LiveStore, sync: sync as SubscriptionSync, received, warnings, release };
  }

  /** Publishes each topic from another client and waits until `received` has the last (a marker every page gets). */
  async function deliver(topics: string[], received: string[]): Promise<void> {
    const publisher = await connectClient(t.port);
    const marker = `hearth/alerts/marker-${Math.random()}`;
    for (const topic of topics) await publisher.publishAsync(topic, "1", { qos: 1 });
    await publisher.publishAsync(marker, "{}", { qos: 1 });
    await until(() => received.includes(marker), "the marker");
    await publisher.endAsync();
  }

  it("a room's scope: granted, ready, and only that room's readings come", async () => {
    const p = await page(["home/kitchen/#"]);
    assert.equal(p.sync.ready(), true);
    await deliver(["home/kitchen/temperature", "home/attic/temperature", "homeassistant/sensor/x/config"], p.received);
    assert.deepEqual(p.received.filter((x) => !x.includes("marker")), ["home/kitchen/temperature", "homeassistant/sensor/x/config"]);
  });

  it("an invalid scope (home/#/#) is not sent: alerts and discovery still come, and the page is not ready", async () => {
    const p = await page(["home/#/#"]);
    assert.equal(p.sync.ready(), false);
    assert.match(p.warnings.join("\n"), /invalid topic filter home\/#\/#/);
    await deliver(["homeassistant/sensor/x/config", "home/kitchen/temperature"], p.received);
    assert.deepEqual(p.received.filter((x) => !x.includes("marker")), ["homeassistant/sensor/x/config"]);

    // Leaving the bad page (its scope released: the whole home again) makes the page ready.
    p.release();
    p.sync.sync();
    assert.equal(p.sync.ready(), true);
    await fence(p.client);
    await deliver(["home/kitchen/temperature"], p.received);
    assert.ok(p.received.includes("home/kitchen/temperature"));
  });

  it("a filter the hub refuses: the others are granted, and the page is not ready until it is let go", async () => {
    const p = await page(["home/vault/#", "home/hall/#"]);
    assert.equal(p.sync.ready(), false);
    assert.match(p.warnings.join("\n"), /subscribing to home\/vault\/# failed/);
    await deliver(["home/hall/temperature", "home/vault/temperature", "hearth/alerts/a"], p.received);
    assert.deepEqual(p.received.filter((x) => !x.includes("marker")), ["home/hall/temperature", "hearth/alerts/a"]);
    p.release();
    p.store.watch(["home/hall/#"]);
    p.sync.sync();
    await fence(p.client);
    assert.equal(p.sync.ready(), true);
  });
});
