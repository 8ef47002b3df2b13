import { describe, it } from "node:test";
import assert from "node:assert/strict";
import mqttPacket, { type Packet } from "mqtt-packet";
import { createPublishSplitter } from "./mqtt-publish-splitter";

// Packets are made by mqtt-packet, the encoder aedes and mqtt.js use, so the splitter
// is held to the wire format the hub really sends.
const bytes = (packet: Packet): Uint8Array => new Uint8Array(mqttPacket.generate(packet));
const publish = (topic: string, payload: string | Uint8Array, opts: { retain?: boolean; qos?: 0 | 1; messageId?: number } = {}) =>
  bytes({ cmd: "publish", topic, payload: Buffer.from(payload), qos: opts.qos ?? 0, dup: false, retain: opts.retain ?? false, messageId: opts.messageId });
const suback = bytes({ cmd: "suback", messageId: 1, granted: [0, 0] });
const pingresp = bytes({ cmd: "pingresp" });
const concat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));

type Seen = { topic: string; payload: string; retained: boolean };

/** Feeds the frames in order; what went to onPublish, and what was passed on per frame. */
function run(frames: Uint8Array[]): { published: Seen[]; passed: (number[] | null)[] } {
  const split = createPublishSplitter();
  const published: Seen[] = [];
  const passed = frames.map((frame) => {
    const rest = split(frame, (topic, payload, retained) => published.push({ topic, payload: Buffer.from(payload).toString(), retained }));
    return rest && [...rest];
  });
  return { published, passed };
}

describe("createPublishSplitter", () => {
  it("hands QoS 0 publishes over and passes nothing on", () => {
    const frame = concat(publish("home/attic/temperature", "21.5"), publish("home/attic/humidity", "40", { retain: true }));
    assert.deepEqual(run([frame]), {
      published: [
        { topic: "home/attic/temperature", payload: "21.5", retained: false },
        { topic: "home/attic/humidity", payload: "40", retained: true },
      ],
      passed: [null],
    });
  });

  it("passes every other packet on whole and in order", () => {
    const qos1 = publish("home/attic/fan/state", "ON", { qos: 1, messageId: 7 });
    const frame = concat(suback, publish("home/a/t", "1"), qos1, pingresp);
    const { published, passed } = run([frame]);
    assert.deepEqual(published, [{ topic: "home/a/t", payload: "1", retained: false }]);
    assert.deepEqual(passed, [[...suback, ...qos1, ...pingresp]]);
  });

  it("reads payloads whose length takes two or three bytes, and empty ones", () => {
    const cases = ["", "x".repeat(200), "y".repeat(20_000)];
    const { published } = run([concat(...cases.map((p) => publish("home/big/blob", p)))]);
    assert.deepEqual(published.map((p) => p.payload), cases);
  });

  it("joins a packet cut across frames, at every possible cut", () => {
    const stream = concat(suback, publish("home/attic/temperature", "21.5"), pingresp, publish("home/é/co2", "800", { retain: true }));
    const whole = run([stream]);
    for (let cut = 1; cut < stream.length; cut++) {
      const { published, passed } = run([stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(published, whole.published, `cut at ${cut}`);
      assert.deepEqual(passed.flatMap((p) => p ?? []), whole.passed[0], `cut at ${cut}`);
    }
  });

  it("leaves a publish whose topic is not UTF-8 to mqtt.js", () => {
    const bad = concat(new Uint8Array([0x30, 5, 0, 2, 0xc3, 0x28]), new TextEncoder().encode("1"));
    assert.deepEqual(run([bad]), { published: [], passed: [[...bad]] });
  });

  it("passes everything on, then and after, once a length cannot be read", () => {
    const malformed = new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const later = publish("home/a/t", "2");
    const { published, passed } = run([concat(publish("home/a/t", "1"), malformed), later]);
    assert.deepEqual(published, [{ topic: "home/a/t", payload: "1", retained: false }]);
    assert.deepEqual(passed, [[...malformed], [...later]]);
  });
});
