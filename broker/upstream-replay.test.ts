// Upstream mode (issue 14; closing-note-5): a reading retained on the user's broker is
// sent to Hearth again each time it subscribes, at every start. It is the topic's last
// state, not a new reading: history gets it once (broker/replayed-reading.ts says when),
// while live readings, retained ones among them, are all recorded. Against a real
// Mosquitto 2, with the real upstream bus, recorder and SQLite history, over MQTT 5
// (Retain As Published: live retained messages keep their flag) and 3.1.1.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import mqtt from "mqtt";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { HistoryStore } from "../lib/history/store";
import type { Logger } from "../lib/log";
import { startRecorder } from "./recorder";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually } from "./test-upstream-hub";
import { createUpstreamBus } from "./upstream-bus";

const HEARTH = { username: "hearth", password: "hearth-replay-pass" };
const DEVICE = { username: "dev", password: "dev-replay-pass" };
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const dir = mkdtempSync(path.join(tmpdir(), "hearth-upstream-replay-"));
let broker: UpstreamMosquitto;

before(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password, [DEVICE.username]: DEVICE.password });
});
after(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function values(history: HistoryStore, topic: string): Promise<number[]> {
  return (await history.readRaw({ topic, from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 })).map((r) => r.v);
}

/** Hearth's starts against the broker, recording into `history`, and a device publishing there. */
async function rig(protocolVersion: 4 | 5, history: HistoryStore, marker: string) {
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...DEVICE, protocolVersion, reconnectPeriod: 0 });
  /** One Hearth start: the upstream bus and the recorder, until `work` is done. */
  const hearth = async (work: () => Promise<void>) => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const bus = createUpstreamBus({ urls: [url], ...HEARTH, caFile: null, certFile: null, keyFile: null, protocolVersion, clientId: `hearth-replay-${protocolVersion}` }, quiet);
    const recorder = await startRecorder(bus, history, { log: quiet });
    try {
      bus.start();
      await eventually("the upstream connection", () => (bus.connected() ? true : null));
      await work();
    } finally {
      await bus.end();
      await recorder.stop();
    }
  };
  /** A live reading behind everything sent before it: once it is in history, so is their outcome. */
  let markers = 0;
  const settled = async () => {
    const n = ++markers;
    await device.publishAsync(marker, String(n), { qos: 1 });
    await eventually(`marker ${n} in history`, async () => ((await values(history, marker)).includes(n) ? true : null));
  };
  return { device, hearth, settled };
}

for (const protocolVersion of [5, 4] as const) {
  const name = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";
  const room = `v${protocolVersion}`;
  const attic = `home/${room}-attic/temperature`;
  const cellar = `home/${room}-cellar/temperature`;
  const marker = `home/${room}-marker/temperature`;

  test(`${name}: a retained reading is recorded once, not again at each start; one taken while Hearth was away is recorded`, async () => {
    const history = openSqliteHistory(path.join(dir, `history-${protocolVersion}.sqlite`));
    const { device, hearth, settled } = await rig(protocolVersion, history, marker);
    try {
      const now = Date.now();
      await device.publishAsync(attic, "21.5", { qos: 1, retain: true });
      await device.publishAsync(cellar, JSON.stringify({ value: 9, ts: now - 60_000 }), { qos: 1, retain: true });

      // First start: history has neither topic, so their last states are a start for the charts.
      await hearth(settled);
      assert.deepEqual(await values(history, attic), [21.5]);
      assert.deepEqual(await values(history, cellar), [9]);

      // While Hearth is away: a QoS 0 reading, which the broker does not queue for it; only its retained copy remains.
      await device.publishAsync(cellar, JSON.stringify({ value: 10, ts: now - 30_000 }), { qos: 0, retain: true });

      await hearth(async () => {
        await settled();
        // A live retained reading (MQTT 5 flags it retained, Retain As Published) is a new reading.
        await device.publishAsync(attic, "22", { qos: 1, retain: true });
        await settled();
      });
      assert.deepEqual(await values(history, attic), [21.5, 22], "the attic's retained 21.5 is not recorded again");
      assert.deepEqual(await values(history, cellar), [9, 10], "the reading taken while Hearth was away is recorded from its retained copy");

      // A third start: nothing new anywhere.
      await hearth(settled);
      assert.deepEqual(await values(history, attic), [21.5, 22]);
      assert.deepEqual(await values(history, cellar), [9, 10]);
    } finally {
      await device.endAsync();
      await history.close();
    }
  });
}

test("MQTT 5: a topic's first retained reading, published live while Hearth listens, is recorded though history holds earlier readings of it (review-7 F7)", async () => {
  const lamp = "home/f7-hall/illuminance";
  const history = openSqliteHistory(path.join(dir, "history-f7.sqlite"));
  const { device, hearth, settled } = await rig(5, history, "home/f7-marker/temperature");
  try {
    await hearth(async () => {
      await settled();
      await device.publishAsync(lamp, "120", { qos: 1 });
      // No retained copy of the topic came on subscribe; this one is live, flagged because of Retain As Published.
      await device.publishAsync(lamp, "140", { qos: 1, retain: true });
      await settled();
    });
    assert.deepEqual(await values(history, lamp), [120, 140]);
    // The next start: its copy comes again on subscribe, and is not recorded twice.
    await hearth(settled);
    assert.deepEqual(await values(history, lamp), [120, 140]);
  } finally {
    await device.endAsync();
    await history.close();
  }
});
