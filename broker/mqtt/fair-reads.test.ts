// fair-reads.ts through the broker: a connection's packets past its share of a turn wait
// for the next, in order, and a malformed packet after them still ends the connection
// only once they are handled.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generate } from "mqtt-packet";
import { quietLog, startTestBroker } from "./test-server";
import { collect, connectClient, rawConnected, until } from "./test-clients";

describe("fair reads", () => {
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
