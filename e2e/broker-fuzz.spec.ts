// Thousands of malformed and truncated packets, random bytes and oversized length
// fields, thrown at the TCP and WebSocket listeners from a seeded generator (the
// same bytes every run). The hub stays up, keeps serving a well-behaved client
// throughout, and its memory comes back down afterwards.
import { readFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { expect, test } from "@playwright/test";
import type { MqttClient } from "mqtt";
import WebSocket from "ws";
import { TestHub } from "./hub";
import { collect, connect, expectReceived } from "./mqtt-clients";

const TCP_CONNECTIONS = 300;
const WS_CONNECTIONS = 60;
const PACKETS_PER_CONNECTION = 10;
const CONCURRENCY = 8;
/** Memory may settle higher than at the start (caches, JIT), but not by the fuzz's volume. */
const RSS_SLACK_MB = 64;

let hub: TestHub;
let watcher: MqttClient;
let seen: ReturnType<typeof collect>;

test.beforeAll(async () => {
  hub = await TestHub.start({ env: { HEARTH_MQTT_CONNECT_TIMEOUT_MS: "1000", HEARTH_MQTT_MAX_CONNECTIONS: "100" } });
  watcher = await connect(hub.mqttUrl, { clientId: "e2e-watcher", keepalive: 5 });
  seen = collect(watcher);
  await watcher.subscribeAsync("fuzz/alive", { qos: 1 });
});
test.afterAll(async () => {
  await watcher?.endAsync();
  await hub?.dispose();
});

/** mulberry32: a tiny seeded PRNG, so every run throws the same bytes. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONNECT = Buffer.from([0x10, 16, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x04, 0x66, 0x75, 0x7a, 0x7a]);
const PUBLISH = Buffer.from([0x32, 12, 0x00, 0x06, 0x66, 0x75, 0x7a, 0x7a, 0x2f, 0x78, 0x00, 0x01, 0x68, 0x69]);
const SUBSCRIBE = Buffer.from([0x82, 8, 0x00, 0x01, 0x00, 0x03, 0x61, 0x2f, 0x23, 0x01]);
const VALID = [CONNECT, PUBLISH, SUBSCRIBE];

function fuzzPacket(random: () => number): Buffer {
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  switch (int(6)) {
    case 0: // random bytes
      return bytes(1 + int(64));
    case 1: {
      // a valid packet cut short
      const p = VALID[int(VALID.length)];
      return p.subarray(0, 1 + int(p.length - 1));
    }
    case 2: // an oversized or overlong length field
      return Buffer.from([0x30, 0xff, 0xff, 0xff, int(2) ? 0x7f : 0xff, ...bytes(int(8))]);
    case 3: {
      // a valid packet with one byte flipped
      const p = Buffer.from(VALID[int(VALID.length)]);
      p[int(p.length)] ^= 1 << int(8);
      return p;
    }
    case 4: // a reserved packet type
      return Buffer.from([int(2) ? 0x00 : 0xf0, 2, ...bytes(2)]);
    default: // CONNECT then garbage
      return Buffer.concat([CONNECT, bytes(1 + int(32))]);
  }
}

function overTcp(packets: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect(hub.mqttPort, "127.0.0.1", () => {
      for (const p of packets) socket.write(p);
      socket.end();
    });
    socket.on("error", () => {});
    socket.resume();
    socket.once("close", () => resolve());
  });
}

function overWebSocket(packets: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/mqtt`, ["mqtt"]);
    ws.on("open", () => {
      for (const p of packets) ws.send(p);
      ws.close();
    });
    ws.on("error", () => {});
    ws.once("close", () => resolve());
  });
}

async function roundTrip(n: number) {
  const payload = `alive ${n}`;
  await watcher.publishAsync("fuzz/alive", payload, { qos: 1 });
  await expectReceived(seen, "fuzz/alive", payload);
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

test("malformed input on TCP and WebSocket harms nothing: the hub stays up and serves a good client", async () => {
  test.setTimeout(180_000);
  const pid = hub.pid!;
  await roundTrip(0);
  const before = rssMb(pid);
  const random = prng(0x5eed);
  const jobs: (() => Promise<void>)[] = [];
  for (let i = 0; i < TCP_CONNECTIONS + WS_CONNECTIONS; i++) {
    const packets = Array.from({ length: PACKETS_PER_CONNECTION }, () => fuzzPacket(random));
    jobs.push(i < TCP_CONNECTIONS ? () => overTcp(packets) : () => overWebSocket(packets));
  }
  let peak = before;
  for (let i = 0; i < jobs.length; i += CONCURRENCY) {
    await Promise.all(jobs.slice(i, i + CONCURRENCY).map((job) => job()));
    if ((i / CONCURRENCY) % 5 === 0) {
      await roundTrip(i + 1); // a well-behaved client is served all along
      peak = Math.max(peak, rssMb(pid));
    }
  }
  await roundTrip(jobs.length + 1);
  expect(watcher.connected).toBe(true);
  expect(hub.output).not.toMatch(/uncaught exception|unhandled rejection/);
  // The bytes reached the broker's parser and guards, and were refused there, with codes.
  await expect.poll(() => hub.output).toMatch(/code="malformed-packet"/);
  await expect.poll(() => hub.output).toMatch(/code="packet-too-large"/);
  await expect.poll(() => hub.output).toMatch(/code="malformed-length"/);
  await expect.poll(() => rssMb(pid), { timeout: 20_000 }).toBeLessThan(before + RSS_SLACK_MB);
  const after = rssMb(pid);
  console.log(
    `fuzz: ${jobs.length * PACKETS_PER_CONNECTION} packets on ${jobs.length} connections; ` +
      `hub RSS ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB peak, ${after.toFixed(0)} MiB after`,
  );
});
