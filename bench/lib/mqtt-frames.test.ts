import assert from "node:assert/strict";
import { test } from "node:test";
import mqttPacket from "mqtt-packet";
import { cutFrames, frameInfo, type Frame } from "./mqtt-frames";

const publish = (messageId: number, payload = Buffer.alloc(3)) =>
  mqttPacket.generate({ cmd: "publish", topic: "home/a/temperature", payload, qos: 1, dup: false, retain: false, messageId });

test("frames split anywhere across chunks come out whole, with their packet ids", () => {
  const stream = Buffer.concat([publish(7), mqttPacket.generate({ cmd: "puback", messageId: 9 }), publish(65535, Buffer.alloc(300))]);
  for (let cut = 1; cut < stream.length; cut++) {
    const frames: Frame[] = [];
    const rest = cutFrames(stream.subarray(0, cut), (f) => frames.push(f));
    const tail = rest ? Buffer.concat([rest, stream.subarray(cut)]) : stream.subarray(cut);
    assert.equal(cutFrames(tail, (f) => frames.push(f)), null);
    assert.deepEqual(
      frames.map((f) => [f.type, f.type === 3 ? frameInfo(f).packetId : f.body.readUInt16BE(0)]),
      [[3, 7], [4, 9], [3, 65535]],
    );
  }
});

test("a QoS 0 publish has no packet id", () => {
  const bytes = mqttPacket.generate({ cmd: "publish", topic: "t", payload: Buffer.from("1"), qos: 0, dup: false, retain: false });
  cutFrames(bytes, (f) => assert.deepEqual(frameInfo(f), { qos: 0 }));
});
