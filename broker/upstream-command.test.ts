// A page's command relayed upstream (issue 14, review-5 finding 14): when the link drops,
// or the broker stays silent, before its PUBACK, the command is refused and never sent
// later — mqtt.js (clean start off) would otherwise resend it after the next CONNACK,
// and a lamp would switch minutes after the page showed the toggle failing. Against a
// real Mosquitto 2 behind a TCP relay the test can silence and cut.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createServer, connect, type Server, type Socket } from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { createLogger } from "../lib/log";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually } from "./test-upstream-hub";
import { createUpstreamBus, type UpstreamBus } from "./upstream-bus";

const HEARTH = { username: "hearth", password: "hearth-command-pass" };
let broker: UpstreamMosquitto;

/** A TCP relay to Mosquitto: `silence()` drops what either side sends (a link gone quiet), `cut()` closes every connection. */
type Link = { port: number; silence(on: boolean): void; cut(): void; close(): Promise<void> };

async function link(port: number): Promise<Link> {
  const sockets = new Set<Socket>();
  let silent = false;
  const server: Server = createServer((inbound) => {
    const outbound = connect(port, "127.0.0.1");
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      sockets.add(from);
      from.on("data", (chunk) => void (silent || to.write(chunk)));
      from.on("close", () => to.destroy());
      from.on("error", () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    silence: (on) => void (silent = on),
    cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

before(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password });
});
after(async () => {
  await broker?.stop();
});

for (const protocolVersion of [5, 4] as const) {
  const name = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";
  test(`${name}: a command whose PUBACK never comes is refused and not sent when the link returns`, async () => {
    const relay = await link(broker.port);
    const bus: UpstreamBus = createUpstreamBus(
      { urls: [`mqtt://127.0.0.1:${relay.port}`], ...HEARTH, caFile: null, certFile: null, keyFile: null, protocolVersion, clientId: `hearth-command-${protocolVersion}` },
      createLogger("upstream"),
    );
    const lamp: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...HEARTH, clientId: `lamp-${protocolVersion}`, reconnectPeriod: 0 });
    const received: string[] = [];
    lamp.on("message", (_topic, payload) => received.push(payload.toString()));
    await lamp.subscribeAsync("home/hall/lamp/set", { qos: 1 });
    const connected = () => eventually("the upstream connection", () => (bus.connected() ? true : null));
    try {
      bus.start();
      await connected();

      // The link drops before the broker's PUBACK.
      relay.silence(true);
      const dropped = bus.command("home/hall/lamp/set", "ON", { qos: 1 });
      relay.cut();
      await assert.rejects(dropped, /upstream-lost/);
      relay.silence(false);
      await connected();

      // The broker stays silent past the wait.
      relay.silence(true);
      await assert.rejects(bus.command("home/hall/lamp/set", "OFF", { qos: 1 }, 200), /upstream-command-timeout/);
      relay.cut();
      relay.silence(false);
      await eventually("the cut noticed", () => (bus.connected() ? null : true));
      await connected();

      // Both were withdrawn: after the reconnections the lamp's next command is this one.
      await bus.command("home/hall/lamp/set", "TOGGLE", { qos: 1 });
      await eventually("the command after the reconnections", () => (received.length > 0 ? true : null));
      assert.deepEqual(received, ["TOGGLE"]);
    } finally {
      await lamp.endAsync(true);
      await bus.end();
      relay.cut();
      await relay.close();
    }
  });
}
