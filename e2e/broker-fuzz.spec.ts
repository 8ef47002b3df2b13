// Malformed and random MQTT 3.1.1 and 5.0 packets — valid ones with random fields,
// the same cut short, bit-flipped, with lying lengths, reserved types, noise — thrown
// at the hub's TCP and WebSocket listeners from a seeded generator (e2e/fuzz/), the
// same bytes every run. The hub stays up, a well-behaved client on each transport is
// served throughout, and its memory stays within RSS_SLACK_MB of where it started; once
// the sessions the fuzz left behind are ended, the broker holds what it held before
// (review-15 L2): the same sessions (its control socket, as `hearth session list` asks),
// and as many subscriptions, sessions and messages held for them ($SYS/broker/…) — a
// count that stays up is a leak, where RSS rarely falls back even without one. The
// memory the fuzz grew by is mostly given back too (a loose check: allocator pages stay).
// `npm test` runs a slice; `npm run fuzz` runs 100,000 packets (HEARTH_FUZZ_PACKETS).
import { readFileSync } from "node:fs";
import type { MqttClient } from "mqtt";
import { askHub, controlSocketPath } from "../broker/control-socket";
import { runFuzz, type FuzzProgress } from "./fuzz/fuzz-run";
import { CLIENT_IDS } from "./fuzz/packets";
import { expect, test, TestHub } from "./hub";
import { collect, connect, expectReceived } from "./mqtt-clients";

const PACKETS = Number(process.env.HEARTH_FUZZ_PACKETS ?? 10_000);
const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 0x5eed);
/** The ceiling while the fuzz runs (its connections' buffers and persistent sessions are live). */
const RSS_SLACK_MB = 64;
/** What may stay after the fuzz's sessions end (caches, compiled code, allocator pages), unless half the growth is more. */
const RSS_SETTLE_MB = 16;

let hub: TestHub;
const watchers: { name: string; client: MqttClient; seen: ReturnType<typeof collect> }[] = [];
/** The broker's $SYS/broker/… statistics as last published (every 10 s, retained). */
let sys: { client: MqttClient; seen: ReturnType<typeof collect> };

test.beforeAll(async () => {
  // The fuzz and its watcher connect anonymously over /mqtt too: the opt-in for that (review-9 F2).
  hub = await TestHub.start({ env: { HEARTH_MQTT_CONNECT_TIMEOUT_MS: "1000", HEARTH_MQTT_MAX_CONNECTIONS: "100", HEARTH_MQTT_ANONYMOUS_WEBSOCKET: "1" } });
  // Well-behaved clients on both transports, in both protocol versions, outside the fuzz's topics and client ids.
  for (const [name, url, protocolVersion] of [
    ["tcp", hub.mqttUrl, 5],
    ["ws", `ws://127.0.0.1:${hub.port}/mqtt`, 4],
  ] as const) {
    const client = await connect(url, { clientId: `e2e-watcher-${name}`, keepalive: 5, protocolVersion });
    const seen = collect(client);
    await client.subscribeAsync(`watch/${name}/alive`, { qos: 1 });
    watchers.push({ name, client, seen });
  }
  const client = await connect(hub.mqttUrl, { clientId: "e2e-sys-watcher", protocolVersion: 5 });
  sys = { client, seen: collect(client) };
  await client.subscribeAsync("$SYS/broker/#");
});
test.afterAll(async () => {
  await sys?.client.endAsync();
  for (const w of watchers) await w.client.endAsync();
  await hub?.dispose();
});

async function roundTrips(n: number) {
  await Promise.all(
    watchers.map(async ({ name, client, seen }) => {
      const payload = `alive ${n}`;
      await client.publishAsync(`watch/${name}/alive`, payload, { qos: 1 });
      await expectReceived(seen, `watch/${name}/alive`, payload);
    }),
  );
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

const thousands = (n: number) => n.toLocaleString("en-US");

/** What the broker holds, by count: its sessions (the control socket) and its $SYS statistics. */
type Held = { sessions: string; subscriptions: number; sessionCount: number; heldForSessions: number };

/** `since`: an index into what the $SYS watcher has seen; only a tick after it counts (they come every 10 s). */
async function held(dataDir: string, since: number): Promise<Held | null> {
  const reply = await askHub(controlSocketPath(dataDir), { op: "sessions" });
  if (!reply.ok || !("sessions" in reply)) throw new Error(`the control socket answered ${JSON.stringify(reply)}`);
  const latest = (name: string) => {
    const payload = sys.seen.slice(since).findLast((m) => m.topic === `$SYS/broker/${name}`)?.payload;
    return payload === undefined ? null : Number(payload);
  };
  // The store's count is retained messages plus those queued, in flight or owed to sessions (broker/mqtt/sys.ts).
  const [subscriptions, sessionCount, store, retained] = ["subscriptions/count", "clients/total", "store/messages/count", "retained messages/count"].map(latest);
  if (subscriptions === null || sessionCount === null || store === null || retained === null) return null;
  const sessions = reply.sessions.map((s) => s.clientId).sort().join(" ");
  return { sessions, subscriptions, sessionCount, heldForSessions: store - retained };
}

test(`${thousands(PACKETS)} malformed and random packets on TCP and WebSocket harm nothing: the hub stays up and serves good clients`, async () => {
  test.setTimeout(60_000 + PACKETS * 5);
  const pid = hub.pid!;
  await roundTrips(0);
  // $SYS is published every 10 s, retained: the baseline is the first tick after every watcher has subscribed.
  const baselineFrom = sys.seen.length;
  let heldBefore: Held | null = null;
  await expect.poll(async () => (heldBefore = await held(hub.dataDir, baselineFrom)), { timeout: 30_000 }).not.toBeNull();
  const before = rssMb(pid);
  let peak = before;
  let checkpoints = 0;
  let lastLine = 0;
  const line = (p: FuzzProgress, rss: number) =>
    `fuzz: ${thousands(p.packets)}/${thousands(PACKETS)} packets on ${thousands(p.connections)} connections (${p.tcp} TCP, ${p.ws} WebSocket), ` +
    `${thousands(Math.round(p.packets / (p.elapsedMs / 1000)))} packets/s, ${checkpoints} round trips served, hub RSS ${rss.toFixed(0)} MiB`;
  const result = await runFuzz({
    tcpPort: hub.mqttPort,
    wsUrl: `ws://127.0.0.1:${hub.port}/mqtt`,
    packets: PACKETS,
    seed: SEED,
    deadlineMs: PACKETS * 4,
    async checkpoint(progress) {
      await roundTrips(++checkpoints); // the good clients are served all along
      const rss = rssMb(pid);
      peak = Math.max(peak, rss);
      if (progress.packets - lastLine >= PACKETS / 10 || progress.packets === PACKETS) {
        lastLine = progress.packets;
        console.log(line(progress, rss));
      }
    },
  });
  expect(result.packets, "every packet was sent within the time bound").toBe(PACKETS);
  await roundTrips(checkpoints + 1);
  for (const w of watchers) expect(w.client.connected, `${w.name} watcher still connected`).toBe(true);
  expect(hub.output).not.toMatch(/uncaught exception|unhandled rejection/i);
  // The bytes reached the broker's parser and guards, and were refused there, with codes.
  await expect.poll(() => hub.output).toMatch(/code="malformed-packet"/);
  await expect.poll(() => hub.output).toMatch(/code="packet-too-large"/);
  await expect.poll(() => hub.output).toMatch(/code="malformed-length"/);
  await expect.poll(() => rssMb(pid), { timeout: 20_000 }).toBeLessThan(before + RSS_SLACK_MB);
  // The fuzz's persistent sessions (3.1.1 ones never expire) keep their bounded queues,
  // as they should; end them the way a device would, then the memory is given back.
  for (const clientId of CLIENT_IDS) {
    const client = await connect(hub.mqttUrl, { clientId, clean: true, protocolVersion: 5, properties: { sessionExpiryInterval: 0 } });
    await client.endAsync();
  }
  // An MQTT 5 CONNECT with an empty client id gets one assigned, and may ask to be kept for ever
  // (expiry 0xFFFFFFFF): ended as an admin ends one (`hearth session end`).
  const kept = new Set(heldBefore!.sessions.split(" "));
  const reply = await askHub(controlSocketPath(hub.dataDir), { op: "sessions" });
  for (const { clientId } of reply.ok && "sessions" in reply ? reply.sessions : []) {
    if (!kept.has(clientId)) await askHub(controlSocketPath(hub.dataDir), { op: "end-session", clientId });
  }
  // Everything the fuzz's sessions held goes with them: a $SYS tick after they ended (within 10 s) shows it.
  const endedFrom = sys.seen.length;
  await expect
    .poll(() => held(hub.dataDir, endedFrom), { message: "the broker holds what it held before the fuzz: sessions, subscriptions, messages for sessions", timeout: 30_000 })
    .toEqual(heldBefore);
  const settled = before + Math.max(RSS_SETTLE_MB, (peak - before) / 2);
  await expect.poll(() => rssMb(pid), { message: `hub RSS back under ${settled.toFixed(0)} MiB (before ${before.toFixed(0)}, peak ${peak.toFixed(0)})`, timeout: 30_000 }).toBeLessThan(settled);
  const after = rssMb(pid);
  console.log(
    `fuzz: done, ${thousands(result.packets)} packets on ${thousands(result.connections)} connections in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
      `(${thousands(Math.round(result.packets / (result.elapsedMs / 1000)))} packets/s); ` +
      `hub RSS ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB peak, ${after.toFixed(0)} MiB after`,
  );
});
