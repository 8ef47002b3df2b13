// Upstream mode (issue 14, review-5 finding 1): one reading waiting for its commit — the
// recorder while the history database is away — must not hold up the messages after it
// on the one upstream connection (live values, the mirror, alerts, PINGRESP), and its
// PUBACK still goes out only once it is stored. Against a real Mosquitto 2.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import mqtt from "mqtt";
import { createLogger } from "../lib/log";
import type { BusMessage } from "./bus";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually } from "./test-upstream-hub";
import { createUpstreamBus, type UpstreamBus } from "./upstream-bus";

const HEARTH = { username: "hearth", password: "hearth-flow-pass" };
const DEVICE = { username: "dev", password: "dev-flow-pass" };
let broker: UpstreamMosquitto;

before(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password, [DEVICE.username]: DEVICE.password });
});
after(async () => {
  await broker?.stop();
});

function bus(clientId: string, protocolVersion: 4 | 5): UpstreamBus {
  const url = `mqtt://127.0.0.1:${broker.port}`;
  return createUpstreamBus({ urls: [url], ...HEARTH, caFile: null, certFile: null, keyFile: null, protocolVersion, clientId }, createLogger("upstream"));
}

async function started(b: UpstreamBus): Promise<void> {
  b.start();
  await eventually("the upstream connection", () => (b.connected() ? true : null));
}

/** A promise the test settles: the recorder's row waiting for its database. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

for (const protocolVersion of [5, 4] as const) {
  const name = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";

  test(`${name}: messages after a reading waiting for its commit flow at once; its PUBACK waits until it is stored`, async () => {
    const clientId = `hearth-flow-${protocolVersion}`;
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...DEVICE, protocolVersion, reconnectPeriod: 0 });
    const first = bus(clientId, protocolVersion);
    try {
      const seen: string[] = [];
      // Like the recorder while PostgreSQL is away: the reading's promise waits.
      await first.subscribe("home/+/temperature", () => new Promise<void>(() => {}));
      await first.subscribe("#", (m) => void seen.push(`${m.topic} ${m.payload.toString()}`));
      await started(first);
      await device.publishAsync("home/a/temperature", "21", { qos: 1 });
      await device.publishAsync("home/a/lamp/state", "ON", { qos: 0 });
      await device.publishAsync("home/a/lamp/state", "OFF", { qos: 1 });
      await eventually("the lamp's states behind the waiting reading", () => (seen.length === 3 ? true : null));
      assert.deepEqual(seen, ["home/a/temperature 21", "home/a/lamp/state ON", "home/a/lamp/state OFF"]);
    } finally {
      await first.end();
    }

    // Not stored, so not acknowledged: the broker sends it again to the next Hearth on this
    // session [MQTT-4.4.0-1] (and the QoS 1 message behind it, whose PUBACK may not overtake
    // it [MQTT-4.6.0-2]). This time the rows are stored, a moment later.
    const second = bus(clientId, protocolVersion);
    const again: string[] = [];
    const row = gate();
    try {
      await second.subscribe("#", (m: BusMessage) => {
        again.push(`${m.topic} ${m.payload.toString()}`);
        return row.promise;
      });
      await started(second);
      await eventually("the unacknowledged messages again", () => (again.length === 2 ? true : null));
      assert.deepEqual(again, ["home/a/temperature 21", "home/a/lamp/state OFF"]);
      row.open();
      // Stored now: the PUBACKs go out once the promise callbacks have run, before end()'s DISCONNECT.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await second.end();
    }

    const third = bus(clientId, protocolVersion);
    const last: string[] = [];
    try {
      await third.subscribe("#", (m: BusMessage) => void last.push(`${m.topic} ${m.payload.toString()}`));
      await started(third);
      await device.publishAsync("home/a/marker", "end", { qos: 1 });
      await eventually("the marker", () => (last.includes("home/a/marker end") ? true : null));
      assert.deepEqual(last, ["home/a/marker end"], "stored and acknowledged: nothing comes a third time");
    } finally {
      await third.end();
      await device.endAsync();
    }
  });
}

// Review-6 #1: a message whose effects failed is sent again only on a new connection
// [MQTT-4.4.0-1], and holds one of Mosquitto's 20 in-flight slots until then. Twenty of
// them (the history backlog full while its disk is) stopped every later QoS 1 message for
// good; the bus now reconnects, so they come again and are stored once the database is back.
test("MQTT 3.1.1: after 20 messages Hearth could not store, later QoS 1 messages still come, and the 20 come again", async () => {
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...DEVICE, protocolVersion: 4, reconnectPeriod: 0 });
  const hearth = bus("hearth-flow-unstored", 4);
  const seen: string[] = [];
  let databaseAway = true;
  try {
    await hearth.subscribe("home/+/temperature", (m) => {
      seen.push(m.payload.toString());
      return databaseAway ? Promise.reject(new Error("history-backlog-full")) : undefined;
    });
    await started(hearth);
    for (let i = 0; i < 20; i++) await device.publishAsync("home/a/temperature", `${i}`, { qos: 1 });
    await eventually("the 20 unstored readings", () => (seen.length >= 20 ? true : null));
    databaseAway = false;
    await device.publishAsync("home/a/temperature", "after", { qos: 1 });
    await eventually("the reading after them", () => (seen.includes("after") ? true : null));
    await eventually("the 20 again", () => (seen.filter((v) => v !== "after").length >= 40 ? true : null));
    for (let i = 0; i < 20; i++) assert.ok(seen.filter((v) => v === `${i}`).length >= 2, `reading ${i}: failed, then sent again`);
  } finally {
    await hearth.end();
    await device.endAsync();
  }
});
