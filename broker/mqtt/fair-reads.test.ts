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
});
