// ack-gate.ts: a message whose durable effect fails is not acknowledged as stored, and
// a run of such failures is one log line at once and then at most one per 10 s (log-pace.ts), not one each.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IPubackPacket } from "mqtt-packet";
import type { BrokerHook } from "./hooks";
import { quietLog, startTestBroker } from "./test-server";
import { rawConnected } from "./test-clients";

describe("ack gate", () => {
  it("failed effects: every PUBACK says 0x80 (MQTT 5), and the log holds one publish-effect-failed line for the run", async () => {
    const lines: string[] = [];
    const failing: BrokerHook<undefined> = { onPublished: () => Promise.reject(new Error("the history store fell behind")) };
    const t = await startTestBroker({ hooks: [failing], log: quietLog(lines) });
    const pub = await rawConnected(t.port, 5);
    try {
      for (let id = 1; id <= 5; id++) pub.send({ cmd: "publish", topic: "fail/x", payload: Buffer.from(String(id)), qos: 1, dup: false, retain: false, messageId: id });
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push(((await pub.next("puback")) as IPubackPacket).reasonCode);
      assert.deepEqual(codes, [0x80, 0x80, 0x80, 0x80, 0x80]);
      const logged = lines.filter((l) => l.includes("publish-effect-failed"));
      assert.equal(logged.length, 1, logged.join("\n"));
      assert.match(logged[0], /"failed":1/);
    } finally {
      pub.socket.destroy();
      await t.close();
    }
  });
});
