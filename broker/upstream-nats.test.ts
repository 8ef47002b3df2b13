// Hearth on a three-node NATS cluster (issue 14): JetStream and MQTT on every node,
// Debian's nats-server 2.9 (MQTT 3.1.1, QoS 0/1). Devices publish at QoS 1 through every
// node; the node Hearth is connected to stops mid-stream. Hearth reconnects to another
// node with its session (kept in JetStream on the others), and every reading a node
// acknowledged is in Hearth's history.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startNatsCluster, type NatsCluster } from "./test-upstream-brokers";
import { eventually, upstreamHub } from "./test-upstream-hub";

let cluster: NatsCluster;
before(async () => {
  cluster = await startNatsCluster(3);
});
after(async () => {
  await cluster?.stop();
});

const READINGS_PER_DEVICE = 150;

/** Publishes 1, 2, 3, … at QoS 1 until `count` or the connection fails; resolves to the values the node acknowledged. */
async function publishAcknowledged(client: MqttClient, topic: string, count: number, onAck: (n: number) => void): Promise<number[]> {
  const acked: number[] = [];
  // With no reconnection, mqtt.js keeps an unacknowledged publish pending for ever: the close ends it.
  const closed = new Promise<"closed">((resolve) => client.once("close", () => client.options.reconnectPeriod === 0 && resolve("closed")));
  for (let n = 1; n <= count; n++) {
    const outcome = await Promise.race([client.publishAsync(topic, String(n), { qos: 1 }).then(() => "acked" as const, () => "failed" as const), closed]);
    if (outcome !== "acked") break; // its node went away: what it acknowledged is what counts
    acked.push(n);
    onAck(n);
  }
  return acked;
}

test("a node stops while devices publish at QoS 1: Hearth moves to another node and no acknowledged reading is missing", async () => {
  const hub = await upstreamHub({ HEARTH_MQTT_URL: cluster.urls.join(","), HEARTH_MQTT_PROTOCOL: "3.1.1", HEARTH_MQTT_CLIENT_ID: "hearth-nats-test" });
  const devices: MqttClient[] = [];
  try {
    const first = await hub.waitFor("connected");
    const hearthsNode = cluster.nodes.find((n) => first.server.endsWith(`:${n.mqttPort}`));
    assert.ok(hearthsNode, `Hearth is on one of the nodes (${first.server})`);

    for (const node of cluster.nodes) {
      // Like real devices they reconnect (NATS may close them while JetStream elects new
      // leaders) and send again what was not acknowledged; the one on the stopping node cannot.
      const reconnectPeriod = node === hearthsNode ? 0 : 300;
      devices.push(await mqtt.connectAsync(node.url, { protocolVersion: 4, clientId: `device-${node.name}`, reconnectPeriod, clean: false }));
    }
    let stopped: Promise<void> | null = null;
    const runs = devices.map((device, i) =>
      publishAcknowledged(device, `home/${cluster.nodes[i].name}/counter`, READINGS_PER_DEVICE, (n) => {
        // A third of the way in, Hearth's node stops (the devices on the other nodes keep publishing).
        if (n === READINGS_PER_DEVICE / 3 && stopped === null) stopped = hearthsNode.stop();
      }),
    );
    const acked = await Promise.all(runs);
    await stopped;

    const moved = await hub.waitFor("connected");
    assert.notEqual(moved.server, first.server, "Hearth reconnected to another node");
    for (const [i, node] of cluster.nodes.entries()) {
      if (node === hearthsNode) continue;
      assert.equal(acked[i].length, READINGS_PER_DEVICE, `the device on ${node.name} published everything`);
    }
    for (const [i, node] of cluster.nodes.entries()) {
      const topic = `home/${node.name}/counter`;
      const missing = await eventually(`${topic}: every acknowledged reading in history`, async () => {
        const stored = new Set(await hub.history(topic));
        const gone = acked[i].filter((n) => !stored.has(n));
        return gone.length === 0 ? gone : null;
      });
      assert.deepEqual(missing, []);
    }
  } finally {
    await Promise.all(devices.map((d) => d.endAsync(true)));
    await hub.dispose();
  }
});
