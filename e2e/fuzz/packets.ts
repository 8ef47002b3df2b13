// What the fuzzer sends: valid MQTT 3.1.1 and 5.0 packets of every type with random
// fields (mqtt-packet's generator, the codec Hearth parses with), and the same packets
// broken — cut short, bits flipped, lengths lied about, bytes inserted — plus plain
// noise. Topics and client ids come from small fixed sets, so however long the run,
// the broker's state (retained, sessions) stays bounded and memory must come back.
import mqttPacket, { type Packet } from "mqtt-packet";
import type { Random } from "../prng";

export type Version = 4 | 5;

const TOPICS = [
  "fuzz/a", "fuzz/b/c", "home/fuzz/temperature", "home/fuzz/plug/state", "homeassistant/sensor/fuzz/config",
  "$SYS/fuzz", "$fuzz/x", "", "a/+/b", "#", "fuzz/\u0000nul", "fuzz/é/ü", "x".repeat(300), "/", "//",
] as const;
const FILTERS = ["fuzz/#", "fuzz/+", "#", "+/+/+", "$share/g/fuzz/#", "$share//x", "$SYS/#", "a/#/b", "", "fuzz/a", "home/+/temperature"] as const;
/** A few client ids shared by all connections: take-overs and persistent sessions, never an unbounded number. */
/** The client ids the fuzz connects with (and a zero-length one): sessions it may leave behind. */
export const CLIENT_IDS = Array.from({ length: 24 }, (_, i) => `fuzz-${i}`);

function userProperties(r: Random): Record<string, string | string[]> {
  const props: Record<string, string | string[]> = {};
  for (let i = r.int(3); i > 0; i--) props[r.pick(["k", "room", "ünï", ""])] = r.chance(0.3) ? ["a", "b"] : r.bytes(r.int(8)).toString("latin1");
  return props;
}

function publishProperties(r: Random) {
  return {
    ...(r.chance(0.3) ? { topicAlias: r.int(70) } : {}),
    ...(r.chance(0.3) ? { messageExpiryInterval: r.int(5) } : {}),
    ...(r.chance(0.2) ? { payloadFormatIndicator: r.chance(0.5) } : {}),
    ...(r.chance(0.2) ? { contentType: r.pick(["text/plain", "application/json", ""]) } : {}),
    ...(r.chance(0.2) ? { responseTopic: r.pick(TOPICS) } : {}),
    ...(r.chance(0.2) ? { correlationData: r.bytes(r.int(16)) } : {}),
    ...(r.chance(0.2) ? { userProperties: userProperties(r) } : {}),
    ...(r.chance(0.05) ? { subscriptionIdentifier: 1 + r.int(100) } : {}),
  };
}

function payload(r: Random): Buffer {
  return r.pick([
    () => Buffer.from(String(r.int(10_000) / 100)),
    () => Buffer.from(JSON.stringify({ value: r.int(100), unit: "°C" })),
    () => Buffer.from(r.pick(["ON", "OFF", "TOGGLE", "online", "offline"])),
    () => r.bytes(r.int(200)),
    () => Buffer.alloc(0),
  ])();
}

export function connectPacket(r: Random, version: Version): Packet {
  return {
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: version,
    clientId: r.chance(0.1) ? "" : r.pick(CLIENT_IDS),
    clean: r.chance(0.7),
    keepalive: r.pick([0, 1, 5, 60, 65_535]),
    ...(r.chance(0.2) ? { will: { topic: r.pick(TOPICS), payload: payload(r), qos: r.int(3) as 0 | 1 | 2, retain: r.chance(0.5), ...(version === 5 ? { properties: { willDelayInterval: r.int(3) } } : {}) } } : {}),
    ...(version === 5
      ? {
          properties: {
            ...(r.chance(0.5) ? { sessionExpiryInterval: r.pick([0, 1, 5, 0xffffffff]) } : {}),
            ...(r.chance(0.3) ? { receiveMaximum: 1 + r.int(5) } : {}),
            ...(r.chance(0.3) ? { maximumPacketSize: 20 + r.int(500) } : {}),
            ...(r.chance(0.3) ? { topicAliasMaximum: r.int(10) } : {}),
            ...(r.chance(0.2) ? { requestProblemInformation: r.chance(0.5) } : {}),
            ...(r.chance(0.1) ? { authenticationMethod: "SCRAM-SHA-1", authenticationData: r.bytes(8) } : {}),
            ...(r.chance(0.2) ? { userProperties: userProperties(r) } : {}),
          },
        }
      : {}),
  } as Packet;
}

/** A well-formed packet of any type but CONNECT's first, its fields drawn at random. */
function validPacket(r: Random, version: Version): Packet {
  const messageId = 1 + r.int(65_535);
  const v5 = version === 5;
  switch (r.int(11)) {
    case 0:
    case 1:
    case 2: {
      const qos = r.int(3) as 0 | 1 | 2;
      return { cmd: "publish", topic: r.pick(TOPICS), payload: payload(r), qos, retain: r.chance(0.3), dup: r.chance(0.1), ...(qos > 0 ? { messageId } : {}), ...(v5 ? { properties: publishProperties(r) } : {}) } as Packet;
    }
    case 3:
      return {
        cmd: "subscribe",
        messageId,
        subscriptions: Array.from({ length: 1 + r.int(3) }, () => ({ topic: r.pick(FILTERS), qos: r.int(3) as 0 | 1 | 2, ...(v5 ? { nl: r.chance(0.3), rap: r.chance(0.3), rh: r.int(3) } : {}) })),
        ...(v5 && r.chance(0.3) ? { properties: { subscriptionIdentifier: 1 + r.int(1000) } } : {}),
      } as Packet;
    case 4:
      return { cmd: "unsubscribe", messageId, unsubscriptions: [r.pick(FILTERS)] } as Packet;
    case 5:
      return { cmd: r.pick(["puback", "pubrec", "pubrel", "pubcomp"] as const), messageId, ...(v5 ? { reasonCode: r.pick([0, 0x10, 0x80, 0x92]) } : {}) } as Packet;
    case 6:
      return { cmd: "pingreq" };
    case 7:
      return v5 ? ({ cmd: "disconnect", reasonCode: r.pick([0, 4, 0x80]), properties: r.chance(0.3) ? { sessionExpiryInterval: r.int(10) } : undefined } as Packet) : { cmd: "disconnect" };
    case 8:
      return v5 ? ({ cmd: "auth", reasonCode: r.pick([0, 0x18, 0x19]), properties: { authenticationMethod: "SCRAM-SHA-1", authenticationData: r.bytes(8) } } as Packet) : { cmd: "pingreq" };
    case 9:
      return connectPacket(r, version); // a second CONNECT [MQTT-3.1.0-2]
    default:
      return { cmd: r.pick(["connack", "suback", "unsuback", "pingresp"] as const), ...(r.chance(0.5) ? { messageId, granted: [0], returnCode: 0, sessionPresent: false } : {}) } as Packet; // server-only packets
  }
}

function encode(packet: Packet, version: Version, r: Random): Buffer {
  try {
    return mqttPacket.generate(packet, { protocolVersion: version });
  } catch {
    return r.bytes(1 + r.int(32)); // a combination the generator refuses: send noise instead
  }
}

/** A varint remaining-length field of `bytes` bytes, all continuation bits set but the last (five: malformed). */
function lengthField(r: Random, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => (i < bytes - 1 ? 0x80 | r.int(128) : r.int(128)));
}

/** One packet for the fuzz: valid (with probability `validShare`), else broken or noise. */
export function fuzzPacket(r: Random, version: Version, validShare: number): Buffer {
  const valid = () => encode(validPacket(r, version), version, r);
  if (r.chance(validShare)) return valid();
  switch (r.int(7)) {
    case 0: {
      const p = valid(); // cut short
      return p.subarray(0, r.int(p.length));
    }
    case 1:
    case 2: {
      const p = Buffer.from(valid()); // bits flipped
      for (let i = 1 + r.int(3); i > 0; i--) p[r.int(p.length)] ^= 1 << r.int(8);
      return p;
    }
    case 3: {
      const p = valid(); // the length field lies
      return Buffer.concat([Buffer.from([p[0], ...lengthField(r, 1 + r.int(5))]), p.subarray(2)]);
    }
    case 4: {
      const p = valid(); // bytes inserted in the middle
      const at = r.int(p.length);
      return Buffer.concat([p.subarray(0, at), r.bytes(1 + r.int(16)), p.subarray(at)]);
    }
    case 5: // a reserved packet type, or flags that must be 0 [MQTT-2.2.2-2]
      return Buffer.from([r.pick([0x00, 0xf0, 0x31 | (r.int(8) << 1), 0x83, 0x61, 0xc1]), 2, ...r.bytes(2)]);
    default: // noise
      return r.bytes(1 + r.int(64));
  }
}

/**
 * One connection's bytes: usually a valid CONNECT first, so the rest reaches the packet
 * handlers. Connections differ in how broken they are: a mostly well-formed one drives
 * the broker deep into its sessions and flows before the break; a chaotic one is noise.
 */
export function fuzzConnection(r: Random, packetsPerConnection: number): { version: Version; packets: Buffer[] } {
  const version: Version = r.chance(0.5) ? 5 : 4;
  const validShare = r.pick([0.97, 0.8, 0.3]);
  const packets = [r.chance(0.9) ? encode(connectPacket(r, version), version, r) : fuzzPacket(r, version, 0)];
  while (packets.length < packetsPerConnection) packets.push(fuzzPacket(r, version, validShare));
  return { version, packets };
}
