// Upstream mode (issue 14): a QoS 1 reading the history database refuses for its own data
// (a real SQLite trigger, test-refusal.ts) is acknowledged to the broker all the same, since
// no redelivery could store it (review-7 F3, upstream-acks.ts). Left unacknowledged, it kept
// one of the broker's in-flight slots and the bus reconnected for it for ever; with
// Mosquitto's window at one message, every later QoS 1 reading waited behind it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import mqtt from "mqtt";
import { openHubStores } from "./hub-stores";
import { quietLog } from "./mqtt/test-server";
import { startRecorder } from "./recorder";
import { refuseReadingsOf } from "./test-refusal";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually } from "./test-upstream-hub";
import { createUpstreamBus } from "./upstream-bus";

const HEARTH = { username: "hearth", password: "hearth-refused-pass" };
const DEVICE = { username: "dev", password: "dev-refused-pass" };
const CELLAR = "home/cellar/temperature";
const ATTIC = "home/attic/temperature";
const dir = mkdtempSync(path.join(tmpdir(), "hearth-upstream-refused-"));
let broker: UpstreamMosquitto;

before(async () => {
  // One QoS 1 message in flight to Hearth at a time: one never acknowledged holds up every later one.
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password, [DEVICE.username]: DEVICE.password }, ["max_inflight_messages 1"]);
});
after(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("MQTT 3.1.1: a reading the database refuses is acknowledged and logged history-refused; the next reading is not held up behind it, and no reconnect is forced", async () => {
  const stores = await openHubStores({ dataDir: dir, databaseUrl: null, durability: "normal" }, quietLog(), quietLog());
  const lines: string[] = [];
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const bus = createUpstreamBus({ urls: [url], ...HEARTH, caFile: null, certFile: null, keyFile: null, protocolVersion: 4, clientId: "hearth-refused" }, quietLog(lines));
  const recorder = await startRecorder(bus, stores.history, { log: quietLog() });
  const device = await mqtt.connectAsync(url, { ...DEVICE, protocolVersion: 4, reconnectPeriod: 0 });
  const values = async (topic: string) => (await stores.history.readRaw({ topic, from: 0, to: Number.MAX_SAFE_INTEGER, limit: 10 })).map((r) => r.v);
  try {
    bus.start();
    await eventually("the upstream connection", () => (bus.connected() ? true : null));
    await device.publishAsync(CELLAR, "11", { qos: 1 });
    await eventually("the cellar's first reading in history", async () => ((await values(CELLAR)).length === 1 ? true : null));
    const heal = refuseReadingsOf(dir, CELLAR);
    try {
      await device.publishAsync(CELLAR, "12", { qos: 1 });
      await device.publishAsync(ATTIC, "20.5", { qos: 1 });
      await eventually("the attic's reading, sent behind the refused one, in history", async () => ((await values(ATTIC)).length === 1 ? true : null));
    } finally {
      heal();
    }
    assert.deepEqual(await values(CELLAR), [11], "the refused reading is not stored");
    const refused = lines.filter((line) => line.includes('"code":"history-refused"'));
    assert.equal(refused.length, 1, lines.join("\n"));
    assert.match(refused[0], /"topic":"home\/cellar\/temperature".*"refused":1/);
    assert.deepEqual(lines.filter((line) => /upstream-redeliver|upstream-not-stored/.test(line)), []);
  } finally {
    await device.endAsync();
    await bus.end();
    await recorder.stop();
    await stores.close();
  }
});
