// Both Bus implementations behave the same, against Hearth's broker: the in-process
// one and the mqtt.js one over TCP, each seeing what the other sends.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Bus, BusMessage } from "./bus";
import { createLocalBus, type LocalBus } from "./local-bus";
import { connectMqttBus, type MqttBus } from "./mqtt-bus";
import { quietLog } from "./mqtt/test-server";
import { startBusBroker, type BusBroker } from "./test-bus-broker";

let hub: BusBroker;
/** A second in-process bus on the same broker, for local → local. */
let other: LocalBus;
let url: string;
const remotes: MqttBus[] = [];

before(async () => {
  other = createLocalBus(quietLog());
  hub = await startBusBroker({ hooks: [other] });
  other.attach(hub.broker);
  url = hub.url;
});

after(async () => {
  await Promise.all(remotes.map((bus) => bus.end()));
  await hub.close();
});

async function remote(clientId: string): Promise<MqttBus> {
  const bus = await connectMqttBus(url, { clientId, reconnectPeriod: 0 });
  remotes.push(bus);
  return bus;
}

/** Resolves with the first `count` messages the handler sees. */
function collect(count: number): { handler: (m: BusMessage) => void; done: Promise<BusMessage[]> } {
  const seen: BusMessage[] = [];
  let resolve!: (m: BusMessage[]) => void;
  const done = new Promise<BusMessage[]>((r) => (resolve = r));
  return {
    handler: (m) => {
      seen.push(m);
      if (seen.length === count) resolve(seen);
    },
    done,
  };
}

const pairs: [name: string, make: () => Promise<{ sub: Bus; pub: Bus }>][] = [
  ["local → local", async () => ({ sub: hub.bus, pub: other })],
  ["tcp → local", async () => ({ sub: hub.bus, pub: await remote("pub-1") })],
  ["local → tcp", async () => ({ sub: await remote("sub-2"), pub: hub.bus })],
  ["tcp → tcp", async () => ({ sub: await remote("sub-3"), pub: await remote("pub-3") })],
];

for (const [name, make] of pairs) {
  describe(`Bus ${name}`, () => {
    it("delivers what matches the filter, and only that", async () => {
      const { sub, pub } = await make();
      const { handler, done } = collect(2);
      const prefix = name.replace(/\W+/g, "-");
      const unsubscribe = await sub.subscribe(`${prefix}/+/temperature`, handler);
      await pub.publish(`${prefix}/attic/humidity`, "40", { qos: 1 });
      await pub.publish(`${prefix}/attic/temperature`, "31.7", { qos: 1 });
      await pub.publish(`${prefix}/cellar/temperature`, Buffer.from("12"), { qos: 1 });
      const messages = await done;
      assert.deepEqual(
        messages.map((m) => [m.topic, m.payload.toString()]),
        [
          [`${prefix}/attic/temperature`, "31.7"],
          [`${prefix}/cellar/temperature`, "12"],
        ],
      );
      assert.ok(Buffer.isBuffer(messages[0].payload));
      await unsubscribe();
    });

    // Only the broker itself publishes $SYS topics (a client's is refused, authorize-publish.ts; the test broker has no policy).
    it("keeps $SYS topics out of wildcard filters, and hands them to $SYS filters", { skip: !name.startsWith("local") }, async () => {
      const { sub, pub } = await make();
      const prefix = `${name.replace(/\W+/g, "-")}-sys`;
      const wildcard: string[] = [];
      const unsubscribeWildcard = await sub.subscribe("#", (m) => {
        if (m.topic.includes(prefix)) wildcard.push(m.topic);
      });
      const sys = collect(1);
      const unsubscribeSys = await sub.subscribe(`$SYS/${prefix}/#`, sys.handler);
      const plain = collect(1);
      const unsubscribePlain = await sub.subscribe(`${prefix}/x`, plain.handler);
      await pub.publish(`$SYS/${prefix}/x`, "1", { qos: 1 });
      await pub.publish(`${prefix}/x`, "2", { qos: 1 });
      // Delivered in order on one connection: once the plain topic is here, the $SYS one has been handed out.
      await Promise.all([sys.done, plain.done]);
      assert.deepEqual(wildcard, [`${prefix}/x`]);
      assert.equal((await sys.done)[0].topic, `$SYS/${prefix}/x`);
      await Promise.all([unsubscribeWildcard(), unsubscribeSys(), unsubscribePlain()]);
    });

    it("stops delivering after unsubscribe", async () => {
      const { sub, pub } = await make();
      const prefix = `${name.replace(/\W+/g, "-")}-unsub`;
      const seen: string[] = [];
      const unsubscribe = await sub.subscribe(`${prefix}/#`, (m) => {
        seen.push(m.payload.toString());
      });
      await pub.publish(`${prefix}/a`, "1", { qos: 1 });
      // A second subscription acts as a barrier: once it sees "2", "1" has been delivered too.
      const barrier = collect(1);
      const unsubscribeBarrier = await sub.subscribe(`${prefix}/b`, barrier.handler);
      await unsubscribe();
      await pub.publish(`${prefix}/a`, "ignored", { qos: 1 });
      await pub.publish(`${prefix}/b`, "2", { qos: 1 });
      await barrier.done;
      assert.deepEqual(seen, ["1"]);
      await unsubscribeBarrier();
    });
  });
}

describe("Bus input checks", () => {
  it("refuses invalid filters and topic names before they reach the broker", async () => {
    const bus = hub.bus;
    await assert.rejects(bus.subscribe("home/#/x", () => {}), /bad topic filter/);
    await assert.rejects(bus.publish("home/+/x", "1"), /bad topic/);
    const tcpBus = await remote("checks");
    await assert.rejects(tcpBus.subscribe("home/te+mp", () => {}), /bad topic filter/);
  });

  it("keeps delivering to others when one handler throws", async () => {
    const bus = hub.bus;
    const good = collect(1);
    await bus.subscribe("throws/x", () => {
      throw new Error("handler bug");
    });
    await bus.subscribe("throws/x", good.handler);
    await bus.publish("throws/x", "1").catch(() => {});
    assert.equal((await good.done)[0].payload.toString(), "1");
  });
});
