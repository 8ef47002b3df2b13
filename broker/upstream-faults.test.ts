// Faults of the upstream broker (issue 14, "Bad input and faults"): a wrong password,
// a broker unreachable at start, a broker that drops Hearth's connection. Each is a log
// line with a stable code and a state the dashboard shows (with "since"); the hub
// starts anyway, retries with backoff, and loses nothing already stored.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import mqtt from "mqtt";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually, upstreamHub } from "./test-upstream-hub";
import { freePort } from "../e2e/free-port";

const HEARTH = { username: "hearth", password: "hearth-upstream-pass" };
let broker: UpstreamMosquitto;
/** What the hub logged (lib/log.ts writes warnings and errors to stderr). */
let logged = "";
const write = process.stderr.write.bind(process.stderr);

before(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password });
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    logged += chunk.toString();
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
});
after(async () => {
  process.stderr.write = write;
  await broker?.stop();
});

const env = (overrides: Record<string, string>) => ({
  HEARTH_MQTT_USERNAME: HEARTH.username,
  HEARTH_MQTT_PASSWORD: HEARTH.password,
  HEARTH_MQTT_URL: `mqtt://127.0.0.1:${broker.port}`,
  ...overrides,
});

for (const protocol of ["5", "3.1.1"]) {
  test(`MQTT ${protocol}: a wrong upstream password is refused with upstream-auth-failed; the hub runs and keeps retrying`, async () => {
    const hub = await upstreamHub(env({ HEARTH_MQTT_PASSWORD: "not-the-password", HEARTH_MQTT_PROTOCOL: protocol }));
    try {
      const refused = await hub.waitFor("refused", "upstream-auth-failed");
      assert.match(refused.message!, /HEARTH_MQTT_PASSWORD/);
      const again = await eventually("a second attempt", () => (hub.status().attempt >= 2 ? hub.status() : null));
      assert.equal(again.since, refused.since, "since stays when the failure goes on");
      assert.match(logged, /ERROR upstream: .* code="upstream-auth-failed"/);
    } finally {
      await hub.dispose();
    }
  });
}

test("a broker unreachable at start: upstream-unreachable, and Hearth connects once it is there", async () => {
  const hub = await upstreamHub(env({ HEARTH_MQTT_URL: `mqtt://127.0.0.1:${await freePort()},mqtt://127.0.0.1:${broker.port}` }));
  try {
    // The first URL has nobody listening; the second is tried on the next attempt (a cluster's nodes in turn).
    const down = await eventually("the first failure", () => (hub.status().state !== "connecting" ? hub.status() : null));
    if (down.state !== "connected") assert.equal(down.code, "upstream-unreachable");
    await hub.waitFor("connected");
    assert.match(logged, /code="upstream-unreachable"/);
  } finally {
    await hub.dispose();
  }
});

test("the broker drops Hearth's connection: upstream-lost, history kept, reconnection with backoff, readings flow again", async () => {
  const hub = await upstreamHub(env({ HEARTH_MQTT_PROTOCOL: "5" }));
  const device = () =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...HEARTH, clientId: `faults-device-${Date.now()}`, reconnectPeriod: 0 });
  try {
    await hub.waitFor("connected");
    const before = await device();
    await before.publishAsync("home/cellar/temperature", "12.5", { qos: 1 });
    await before.endAsync();
    await eventually("the first reading", async () => ((await hub.history("home/cellar/temperature")).includes(12.5) ? true : null));

    await broker.kill();
    const lost = await hub.waitFor("unreachable");
    assert.equal(lost.code, "upstream-lost");
    await eventually("a failed retry", () => (hub.status().attempt >= 2 ? true : null));
    assert.equal(hub.status().since, lost.since, "unreachable since the connection dropped, across retries");
    assert.deepEqual(await hub.history("home/cellar/temperature"), [12.5], "nothing stored is lost");

    await broker.start();
    // Mosquitto here keeps no state across its restart: Hearth finds no session and subscribes again.
    await hub.waitFor("connected");
    const after = await device();
    await after.publishAsync("home/cellar/temperature", "13", { qos: 1 });
    await after.endAsync();
    await eventually("the reading after reconnection", async () => ((await hub.history("home/cellar/temperature")).includes(13) ? true : null));
    assert.match(logged, /ERROR upstream: .* code="upstream-lost"/);
  } finally {
    await hub.dispose();
  }
});

test("the demo home does not run in upstream mode: HEARTH_SIMULATOR=1 logs simulator-upstream-mode and the hub runs without it", async () => {
  const hub = await upstreamHub(env({ HEARTH_SIMULATOR: "1" }));
  const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...HEARTH, clientId: `faults-watcher-${Date.now()}`, reconnectPeriod: 0 });
  try {
    const seen: string[] = [];
    watcher.on("message", (topic) => seen.push(topic));
    await watcher.subscribeAsync("#");
    await hub.waitFor("connected");
    assert.match(logged, /WARN hub: .* code="simulator-upstream-mode"/);
    // What Hearth itself publishes on start (the birth message) comes; no demo device does.
    await watcher.publishAsync("faults/marker", "end", { qos: 1 });
    await eventually("the marker", () => (seen.includes("faults/marker") ? true : null));
    assert.deepEqual(seen.filter((t) => t.startsWith("home/")), []);
  } finally {
    await watcher.endAsync(true);
    await hub.dispose();
  }
});
