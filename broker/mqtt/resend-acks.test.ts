// A resend of a message whose first copy is still being stored (review-5 #3): the device's
// connection drops before the PUBACK / PUBREC, it reconnects to its session and sends the
// message again with DUP. That copy is not routed again [MQTT-4.3.2-2, MQTT-4.3.3-…], so its
// acknowledgement can only mean "stored" once the FIRST copy's effects have committed: it
// waits for them, and fails with them. A failure frees the packet id even though the
// first copy's connection is gone, so the next resend is taken for new, not for stored.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IPublishPacket } from "mqtt-packet";
import { startTestBroker } from "./test-server";
import { rawConnected, type RawClient } from "./test-clients";

const publish = (payload: string, extra: Partial<IPublishPacket> = {}): IPublishPacket => ({
  cmd: "publish", topic: "home/attic/temperature", payload: Buffer.from(payload), qos: 1, dup: false, retain: false, ...extra,
});

/** onPublished effects the test settles by hand: a history store that is slow, then stores or fails. */
function heldEffects() {
  const held: { resolve(): void; reject(e: Error): void }[] = [];
  const hook = {
    // Only the device's readings: the broker's own messages ($SYS) pass.
    onPublished: (m: { topic: string }) =>
      m.topic.startsWith("home/") ? new Promise<void>((resolve, reject) => void held.push({ resolve, reject })) : undefined,
  };
  return { hook, held };
}

/**
 * Two ping round trips: the first proves the packets sent before it were handled; by the
 * second, the broker's commit of that turn has run (client and broker share this event
 * loop), and anything it let out was written to the socket before this PINGRESP.
 */
async function settled(c: RawClient): Promise<void> {
  for (let i = 0; i < 2; i++) {
    c.send({ cmd: "pingreq" });
    await c.next("pingresp");
  }
}

const acked = (c: RawClient, cmd: "puback" | "pubrec") => c.received.filter((p) => p.cmd === cmd);

type Connect = Parameters<typeof rawConnected>[2];

/** A broker whose effects wait for the test; the device sends `first`, and its connection drops before the acknowledgement. */
async function sentThenDropped(version: 4 | 5, connect: Connect, first: IPublishPacket) {
  const { hook, held } = heldEffects();
  const t = await startTestBroker({ hooks: [hook] });
  const a = await rawConnected(t.port, version, connect);
  a.send(first);
  await settled(a);
  assert.equal(held.length, 1);
  a.socket.destroy(); // Wi-Fi drops before the acknowledgement
  return { t, held, reconnect: () => rawConnected(t.port, version, connect) };
}

describe("a resend (DUP) of a message still being stored", () => {
  it("[MQTT-4.3.2-2] QoS 1: no PUBACK before the first copy is stored; when it fails the 3.1.1 device is disconnected and its next resend is a new message", async () => {
    const { t, held, reconnect } = await sentThenDropped(4, { clientId: "dev", clean: false }, publish("21", { messageId: 5 }));
    const b = await reconnect();
    b.send(publish("21", { messageId: 5, dup: true }));
    await settled(b);
    assert.deepEqual(acked(b, "puback"), [], "acknowledged a reading that is not stored yet");
    assert.equal(held.length, 1, "a resend is not routed again");

    held[0].reject(new Error("history store dropped it"));
    await b.closed; // 3.1.1 cannot say "not stored": the device reconnects and resends
    assert.deepEqual(acked(b, "puback"), []);

    // The id was freed though its first connection had closed: this copy is new, routed and stored.
    const c = await reconnect();
    c.send(publish("21", { messageId: 5, dup: true }));
    await settled(c);
    assert.equal(held.length, 2, "the resend after the failure is routed as a new message");
    held[1].resolve();
    assert.equal((await c.next("puback")).messageId, 5);
    c.socket.destroy();
    await t.close();
  });

  it("[MQTT-4.3.2-2] QoS 1: the resend's PUBACK goes out once the first copy is stored, and the message is routed once", async () => {
    const { t, held, reconnect } = await sentThenDropped(4, { clientId: "dev", clean: false }, publish("21", { messageId: 9 }));
    const b = await reconnect();
    b.send(publish("21", { messageId: 9, dup: true }));
    await settled(b);
    assert.deepEqual(acked(b, "puback"), []);
    held[0].resolve();
    assert.equal((await b.next("puback")).messageId, 9);
    assert.equal(held.length, 1);
    b.socket.destroy();
    await t.close();
  });

  it("[MQTT-4.3.3-…] QoS 2: the resent PUBLISH's PUBREC waits for the first copy; MQTT 5 hears 0x80 when it failed, and the id is free again", async () => {
    const session = { clientId: "dev2", clean: false, properties: { sessionExpiryInterval: 3600 } };
    const { t, held, reconnect } = await sentThenDropped(5, session, publish("21", { messageId: 7, qos: 2 }));
    const b = await reconnect();
    b.send(publish("21", { messageId: 7, qos: 2, dup: true }));
    await settled(b);
    assert.deepEqual(acked(b, "pubrec"), []);
    held[0].reject(new Error("history store dropped it"));
    const pubrec = (await b.next("pubrec")) as { messageId: number; reasonCode?: number };
    assert.deepEqual([pubrec.messageId, pubrec.reasonCode], [7, 0x80]);

    b.send(publish("21", { messageId: 7, qos: 2 }));
    await settled(b);
    assert.equal(held.length, 2, "a new message under the freed id is routed");
    held[1].resolve();
    assert.equal(((await b.next("pubrec")) as { reasonCode?: number }).reasonCode ?? 0, 0x10);
    b.socket.destroy();
    await t.close();
  });
});
