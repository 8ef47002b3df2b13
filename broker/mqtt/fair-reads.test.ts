// fair-reads.ts: a connection's packets past its share of a turn wait for the next, in
// order, as the bytes already read (not as parsed packets), and a malformed packet after
// them still ends the connection only once they are handled.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { generate, parser as createParser } from "mqtt-packet";
import { createPacketScanner } from "../packet-scanner";
import { FairReads } from "./fair-reads";
import { quietLog, startTestBroker } from "./test-server";
import { collect, connectClient, rawClient, rawConnected, until } from "./test-clients";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A FairReads over a real stream and mqtt-packet's parser, as a connected client has one,
 * counting the packets parsed in each turn of the event loop. The test's own tick marks the
 * turns: it is scheduled before any read, so in every check phase it runs just before
 * FairReads renews the shares, and each count is one turn's.
 */
async function countingReads(perTurn: number, t: TestContext) {
  await nextTurn(); // a renewal still scheduled by an earlier test runs first
  await nextTurn();
  const stream = new PassThrough();
  const parser = createParser({ protocolVersion: 4 });
  const perTurnCounts: number[] = [0];
  let parsed = 0;
  parser.on("packet", () => {
    parsed++;
    perTurnCounts[perTurnCounts.length - 1]++;
  });
  const reads = new FairReads(stream, perTurn, createPacketScanner(1024), {
    accepts: () => Infinity,
    parse: (bytes) => parser.parse(bytes),
    refuse: (problem) => assert.fail(problem.message),
  });
  stream.on("data", (chunk: Buffer) => reads.read(chunk));
  let ticking = true;
  const tick = () => {
    if (!ticking) return;
    perTurnCounts.push(0);
    setImmediate(tick);
  };
  setImmediate(tick);
  t.after(() => {
    ticking = false;
  });
  /** Lets turns go by until `done` holds (bounded), then stops counting. */
  const turns = async (done: () => boolean) => {
    for (let n = 0; n < 100_000 && !done(); n++) await nextTurn();
  };
  return { stream, reads, perTurnCounts, parsed: () => parsed, turns };
}

const pingreqs = (n: number) => Buffer.alloc(n * 2).fill(Buffer.from([0xc0, 0x00]));

describe("fair reads hold bytes, not packets (review-7 F1, F4)", () => {
  it("a 512 KiB message of PINGREQs (262,144 packets, the /mqtt frame limit) is parsed 64 packets a turn; what waits is its bytes", async (t) => {
    const perTurn = 64;
    const r = await countingReads(perTurn, t);
    const frame = pingreqs(262_144);
    r.reads.read(frame);
    // Before any other connection's turn: one share parsed, the rest is the frame itself.
    assert.equal(r.parsed(), perTurn);
    assert.equal(r.reads.heldBytes(), frame.length - perTurn * 2);
    let mostHeld = 0;
    await r.turns(() => {
      mostHeld = Math.max(mostHeld, r.reads.heldBytes());
      return r.parsed() === 262_144;
    });
    assert.equal(r.parsed(), 262_144);
    assert.equal(r.reads.heldBytes(), 0);
    assert.ok(mostHeld <= frame.length, `held ${mostHeld} bytes, more than the ${frame.length} read`);
    assert.ok(Math.max(...r.perTurnCounts) <= perTurn, `a turn parsed ${Math.max(...r.perTurnCounts)} packets`);
  });

  it("a connection resumed with more buffered gets one share per turn, not one per read", async (t) => {
    const perTurn = 8;
    const r = await countingReads(perTurn, t);
    // Two reads' worth: the second waits in the stream's buffer while the first is held.
    r.stream.write(pingreqs(20));
    r.stream.write(pingreqs(20));
    await r.turns(() => r.parsed() === 40);
    assert.equal(r.parsed(), 40);
    assert.ok(Math.max(...r.perTurnCounts) <= perTurn, `turns parsed ${r.perTurnCounts.join(",")}`);
  });
});

describe("fair reads through the broker", () => {
  it("the packets a read holds before a malformed one are all handled, in order, before the connection closes", async () => {
    const lines: string[] = [];
    const t = await startTestBroker({ limits: { packetsPerTurn: 2 }, log: quietLog(lines) });
    const sub = await connectClient(t.port, { protocolVersion: 4 });
    const pub = await rawConnected(t.port, 4);
    try {
      const got = collect(sub);
      await sub.subscribeAsync("order/#", { qos: 0 });
      const publishes = [1, 2, 3, 4, 5].map((n) => generate({ cmd: "publish", topic: "order/x", payload: Buffer.from(String(n)), qos: 0, dup: false, retain: false }));
      // 0xF0 is the reserved packet type 15 [MQTT-2.2.2-2]: malformed.
      pub.socket.write(Buffer.concat([...publishes, Buffer.from([0xf0, 0x00])]));
      await pub.closed;
      await until(() => got.length === 5, "the five publishes before the malformed packet");
      assert.deepEqual(got.map((m) => m.payload), ["1", "2", "3", "4", "5"]);
      assert.ok(lines.some((l) => l.includes("malformed-packet")), lines.join("\n"));
    } finally {
      sub.end(true);
      pub.socket.destroy();
      await t.close();
    }
  });

  // review-7 F4: what a client sends ahead of its CONNACK (§3.1.4) waits as bytes while the
  // CONNECT is authenticated and then goes through the same turns; it was parsed into a queue
  // of at most 1000 packets (more closed the connection) replayed all in one turn.
  it("1,500 publishes sent right behind the CONNECT, before its CONNACK, are all delivered, in order", async () => {
    const t = await startTestBroker({ limits: { packetsPerTurn: 2 }, log: quietLog([]) });
    const sub = await connectClient(t.port, { protocolVersion: 4 });
    const pub = await rawClient(t.port, 4);
    try {
      const got = collect(sub);
      await sub.subscribeAsync("ahead/#", { qos: 0 });
      const connect = generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "ahead", keepalive: 60 });
      const publishes = Array.from({ length: 1500 }, (_, i) => generate({ cmd: "publish", topic: "ahead/x", payload: Buffer.from(String(i + 1)), qos: 0, dup: false, retain: false }));
      pub.socket.write(Buffer.concat([connect, ...publishes]));
      await until(() => got.length === 1500, "the 1,500 publishes");
      assert.deepEqual(got.map((m) => Number(m.payload)), Array.from({ length: 1500 }, (_, i) => i + 1));
    } finally {
      sub.end(true);
      pub.socket.destroy();
      await t.close();
    }
  });

  // review-7 F2: a batch then DISCONNECT, then the socket ends (mqtt.js publish()… end()):
  // the packets past the share waited for a turn that never came once the connection closed.
  for (const how of ["end", "reset"] as const) {
    it(`a batch, a DISCONNECT and a ${how} in one go: every publish is delivered and the will is discarded [MQTT-3.14.4-3]`, async () => {
      const t = await startTestBroker({ limits: { packetsPerTurn: 2 }, log: quietLog([]) });
      const sub = await connectClient(t.port, { protocolVersion: 4 });
      try {
        const got = collect(sub);
        await sub.subscribeAsync("batch/#", { qos: 0 });
        const will = { topic: "batch/will", payload: Buffer.from("gone"), qos: 0 as const, retain: false };
        const pub = await rawConnected(t.port, 4, { clientId: `batch-${how}`, will } as never);
        const publishes = Array.from({ length: 20 }, (_, i) => generate({ cmd: "publish", topic: "batch/x", payload: Buffer.from(String(i + 1)), qos: 0, dup: false, retain: false }));
        pub.socket.write(Buffer.concat([...publishes, generate({ cmd: "disconnect" })]), () => (how === "end" ? pub.socket.end() : pub.socket.resetAndDestroy()));
        await until(() => got.filter((m) => m.topic === "batch/x").length === 20, "the twenty publishes");
        // The will would follow the publishes at once; a round trip of the subscriber's after them proves it did not come.
        await sub.publishAsync("batch/marker", "m", { qos: 1 });
        await until(() => got.some((m) => m.topic === "batch/marker"), "the marker");
        assert.deepEqual(got.filter((m) => m.topic === "batch/x").map((m) => Number(m.payload)), Array.from({ length: 20 }, (_, i) => i + 1));
        assert.ok(!got.some((m) => m.topic === "batch/will"), "the will was published although DISCONNECT came first");
      } finally {
        sub.end(true);
        await t.close();
      }
    });
  }
});
