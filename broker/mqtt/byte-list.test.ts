// The parser with a ByteList (byte-list.ts) must read exactly what mqtt-packet's own
// parser reads: every packet type of 3.1.1 and 5.0, split at any byte, and garbage too.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generate, parser as stockParser, type Packet } from "mqtt-packet";
import { ByteList, createPacketParser } from "./byte-list";

/** Seeded, so a failure is the same failure on the next run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const v5 = { protocolVersion: 5 } as const;
const props = { userProperties: { room: "kitchen" }, contentType: "text/plain", responseTopic: "r/1", correlationData: Buffer.from("c") };
/** [version, packet]: one of every kind the broker reads or writes, with the fields that make each longer. */
const PACKETS: [4 | 5, Packet][] = [
  [4, { cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "plug-1", keepalive: 30, username: "u", password: Buffer.from("p"), will: { topic: "home/plug/availability", payload: Buffer.from("offline"), qos: 1, retain: true } }],
  [4, { cmd: "publish", topic: "home/kitchen/temperature", payload: Buffer.from("21.5"), qos: 0, retain: false, dup: false }],
  [4, { cmd: "publish", topic: "home/kitchen/temperature", payload: Buffer.from("21.6"), qos: 1, messageId: 7, retain: true, dup: true }],
  [4, { cmd: "publish", topic: "home/é/ünïcode", payload: Buffer.alloc(300, 0x41), qos: 2, messageId: 65535, retain: false, dup: false }],
  [4, { cmd: "publish", topic: "t", payload: Buffer.alloc(0), qos: 0, retain: true, dup: false }],
  [4, { cmd: "puback", messageId: 7 }],
  [4, { cmd: "pubrec", messageId: 8 }],
  [4, { cmd: "pubrel", messageId: 8 }],
  [4, { cmd: "pubcomp", messageId: 8 }],
  [4, { cmd: "subscribe", messageId: 3, subscriptions: [{ topic: "home/#", qos: 1 }, { topic: "zigbee2mqtt/+", qos: 0 }] }],
  [4, { cmd: "unsubscribe", messageId: 4, unsubscriptions: ["home/#"] }],
  [4, { cmd: "pingreq" }],
  [4, { cmd: "disconnect" }],
  [5, { cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: false, clientId: "ha", keepalive: 60, properties: { sessionExpiryInterval: 3600, receiveMaximum: 20, topicAliasMaximum: 10 }, will: { topic: "ha/status", payload: Buffer.from("offline"), qos: 1, retain: true, properties: { willDelayInterval: 5 } } }],
  [5, { cmd: "publish", topic: "home/hall/humidity", payload: Buffer.from("48"), qos: 1, messageId: 9, retain: false, dup: false, properties: { ...props, topicAlias: 3, messageExpiryInterval: 60, payloadFormatIndicator: true } }],
  [5, { cmd: "publish", topic: "", payload: Buffer.from("49"), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } }],
  [5, { cmd: "puback", messageId: 9, reasonCode: 0x10, properties: { reasonString: "no subscribers" } }],
  [5, { cmd: "subscribe", messageId: 5, subscriptions: [{ topic: "$share/g/home/+", qos: 2, nl: true, rap: true, rh: 2 }], properties: { subscriptionIdentifier: 42 } }],
  [5, { cmd: "unsubscribe", messageId: 6, unsubscriptions: ["a", "b/#"], properties: { userProperties: { why: "done" } } }],
  [5, { cmd: "auth", reasonCode: 0x18, properties: { authenticationMethod: "SCRAM", authenticationData: Buffer.from("x") } }],
  [5, { cmd: "disconnect", reasonCode: 0x04, properties: { sessionExpiryInterval: 0, reasonString: "bye" } }],
];

type Seen = { packets: Packet[]; errors: string[] };

/** Feeds the chunks to a parser and records what it emits (errors by message). */
function feed(make: () => ReturnType<typeof stockParser>, version: 4 | 5, chunks: Buffer[]): Seen {
  const parser = make();
  const seen: Seen = { packets: [], errors: [] };
  parser.on("packet", (p: Packet) => seen.packets.push(p));
  parser.on("error", (e: Error) => seen.errors.push(e.message));
  // As the broker's parser learns it from CONNECT: a 5.0 stream parses 5.0 properties.
  if (version === 5) (parser as unknown as { settings: object }).settings = v5;
  for (const chunk of chunks) parser.parse(chunk);
  return seen;
}

/** The stream cut at random places, every chunk its own Buffer. */
function cut(stream: Buffer, next: () => number, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const n = 1 + Math.floor(next() * maxChunk);
    chunks.push(Buffer.from(stream.subarray(at, at + n)));
    at += n;
  }
  return chunks;
}

describe("mqtt-packet's parser over a ByteList", () => {
  for (const version of [4, 5] as const) {
    const stream = Buffer.concat(PACKETS.filter(([v]) => v === version).map(([, p]) => generate(p, version === 5 ? v5 : undefined)));

    it(`reads every ${version === 5 ? "5.0" : "3.1.1"} packet as mqtt-packet's own list does, in one chunk or cut anywhere`, () => {
      const whole = feed(stockParser, version, [stream]);
      assert.equal(whole.errors.length, 0);
      assert.equal(whole.packets.length, PACKETS.filter(([v]) => v === version).length);
      assert.deepEqual(feed(createPacketParser, version, [stream]), whole);
      const next = random(version);
      for (const maxChunk of [1, 2, 3, 7, 64, 500]) {
        for (let round = 0; round < 20; round++) {
          const chunks = cut(stream, next, maxChunk);
          assert.deepEqual(feed(createPacketParser, version, chunks), feed(stockParser, version, chunks), `cut at most ${maxChunk} bytes, round ${round}`);
        }
      }
    });
  }

  it("refuses garbage with the same errors, and goes on after one as mqtt-packet's does", () => {
    const next = random(1130);
    for (let round = 0; round < 300; round++) {
      const garbage = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 80) }, () => Math.floor(next() * 256)));
      // Half the time a valid PUBLISH follows: both must read it (or not) alike after the error.
      const tail = next() < 0.5 ? generate(PACKETS[1][1]) : Buffer.alloc(0);
      const chunks = cut(Buffer.concat([garbage, tail]), next, 16);
      for (const version of [4, 5] as const) {
        assert.deepEqual(feed(createPacketParser, version, chunks), feed(stockParser, version, chunks), `round ${round}, v${version}: ${garbage.toString("hex")}`);
      }
    }
  });
});

describe("ByteList", () => {
  const list = () => new ByteList().append(Buffer.from([1, 2, 3])).append(Buffer.from([4, 5])).append(Buffer.from([6, 7, 8, 9]));

  it("reads numbers within a chunk and across chunks", () => {
    const l = list();
    assert.equal(l.length, 9);
    assert.equal(l.readUInt8(4), 5);
    assert.equal(l.readUInt16BE(2), 0x0304);
    assert.equal(l.readUInt32BE(1), 0x02030405);
    l.consume(1);
    assert.equal(l.readUInt8(0), 2);
    assert.equal(l.readUInt16BE(0), 0x0203);
    assert.equal(l.readUInt32BE(3), 0x05060708);
  });

  it("slices and decodes like bl: a view within a chunk, a copy across, empty outside", () => {
    const l = list().consume(3);
    assert.deepEqual([...l.slice(0, 2)], [4, 5]);
    assert.deepEqual([...l.slice(1, 4)], [5, 6, 7]);
    assert.deepEqual([...l.slice(4)], [8, 9]);
    assert.deepEqual([...l.slice(-2)], [8, 9]);
    assert.deepEqual([...l.slice(2, 100)], [6, 7, 8, 9]);
    assert.equal(l.slice(6).length, 0);
    assert.equal(l.slice(3, 3).length, 0);
    const text = new ByteList().append(Buffer.from("hé")).append(Buffer.from("llo"));
    assert.equal(text.toString("utf8", 0, 6), "héllo");
    assert.equal(text.toString("utf8", 1, 3), "é");
    assert.equal(text.toString(), "héllo");
  });

  it("consumes across chunks, and everything past the end", () => {
    const l = list();
    l.consume(4);
    assert.equal(l.length, 5);
    assert.equal(l.readUInt8(0), 5);
    l.consume(Number.NaN).consume(-1).consume(0);
    assert.equal(l.length, 5);
    l.consume(50);
    assert.equal(l.length, 0);
    assert.equal(l.slice().length, 0);
    l.append(Buffer.from([42]));
    assert.equal(l.readUInt8(0), 42);
  });

  it("throws on a read past the end, as bl does", () => {
    assert.throws(() => list().readUInt8(9), RangeError);
    assert.throws(() => list().consume(8).readUInt16BE(0), RangeError);
  });
});
