// MQTT 5 details of acknowledgements and CONNACK that issue 12 listed as missing:
// 0x10 No matching subscribers, 0x99 Payload format invalid (PUBLISH and will), Response Information.
// The same behaviours run against Mosquitto in e2e/conformance/cases-v5-flow.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IConnackPacket, IPublishPacket, Packet } from "mqtt-packet";
import { quietLog, startTestBroker } from "./test-server";
import { rawClient, rawConnected } from "./test-clients";

const publish = (topic: string, payload: Buffer | string, extra: Partial<IPublishPacket> = {}): IPublishPacket => ({
  cmd: "publish", topic, payload: Buffer.from(payload), qos: 1, dup: false, retain: false, messageId: 1, ...extra,
});
const reasonOf = (p: Packet) => (p as { reasonCode?: number }).reasonCode ?? 0;
/** Not UTF-8: a lone continuation byte. */
const NOT_UTF8 = Buffer.from([0x7b, 0x80, 0x7d]);

describe("MQTT 5 acknowledgements", { concurrency: true }, () => {
  it("PUBACK and PUBREC say 0x10 when no session subscribes, 0x00 when one does (MQTT 5 §3.4.2.1, §3.5.2.1)", async () => {
    const t = await startTestBroker();
    const c = await rawConnected(t.port, 5);
    c.send(publish("nobody/a", "x", { qos: 1, messageId: 1 }));
    c.send(publish("nobody/a", "x", { qos: 2, messageId: 2 }));
    assert.equal(reasonOf(await c.next("puback")), 0x10);
    assert.equal(reasonOf(await c.next("pubrec")), 0x10);
    const sub = await rawConnected(t.port, 5);
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "somebody/#", qos: 1 }] });
    await sub.next("suback");
    c.send(publish("somebody/a", "x", { qos: 1, messageId: 3 }));
    assert.equal(reasonOf(await c.next("puback")), 0x00);
    c.socket.destroy();
    sub.socket.destroy();
    await t.close();
  });

  it("a payload that says UTF-8 and is not: PUBACK 0x99, not delivered; QoS 0: DISCONNECT 0x99 (MQTT 5 §3.3.2.3.2, §4.13)", async () => {
    const lines: string[] = [];
    const t = await startTestBroker({ log: quietLog(lines) });
    const sub = await rawConnected(t.port, 5);
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "pfi/#", qos: 1 }] });
    await sub.next("suback");
    const c = await rawConnected(t.port, 5);
    c.send(publish("pfi/bad", NOT_UTF8, { properties: { payloadFormatIndicator: true } }));
    assert.equal(reasonOf(await c.next("puback")), 0x99);
    // The same bytes without the indicator, then valid text with it: both delivered, the indicator unaltered [MQTT-3.3.2-4].
    c.send(publish("pfi/raw", NOT_UTF8, { messageId: 2 }));
    c.send(publish("pfi/text", "21.5 °C", { messageId: 3, properties: { payloadFormatIndicator: true } }));
    const first = (await sub.next("publish")) as IPublishPacket;
    const second = (await sub.next("publish")) as IPublishPacket;
    assert.deepEqual([first.topic, second.topic, second.properties?.payloadFormatIndicator], ["pfi/raw", "pfi/text", true]);
    c.send(publish("pfi/bad", NOT_UTF8, { qos: 0, messageId: undefined, properties: { payloadFormatIndicator: true } }));
    assert.equal(reasonOf(await c.next("disconnect")), 0x99);
    assert.match(lines.join("\n"), /"code":"payload-format-invalid"/);
    sub.socket.destroy();
    await t.close();
  });

  it("a will that says UTF-8 and is not: CONNACK 0x99, no session, no will; the same will as text connects (MQTT 5 §3.1.3.2.3, §4.13)", async () => {
    const lines: string[] = [];
    const t = await startTestBroker({ log: quietLog(lines) });
    const watcher = await rawConnected(t.port, 5);
    watcher.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "wills/#", qos: 0 }] });
    await watcher.next("suback");
    const will = (payload: Buffer | string) => ({ topic: "wills/plug", payload: Buffer.from(payload), qos: 0 as const, retain: false, properties: { payloadFormatIndicator: true } });

    const bad = await rawClient(t.port, 5);
    bad.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 0, clientId: "bad-will", will: will(NOT_UTF8) });
    const refused = (await bad.next("connack")) as IConnackPacket;
    assert.deepEqual([refused.reasonCode, refused.sessionPresent], [0x99, false]);
    await bad.closed;
    assert.match(lines.join("\n"), /"code":"will-payload-format-invalid"/);

    // Valid text with the indicator connects, and its will is published with the indicator unaltered [MQTT-3.3.2-4].
    const good = await rawConnected(t.port, 5, { clientId: "good-will", will: will("offline") });
    good.socket.destroy();
    const published = (await watcher.next("publish")) as IPublishPacket;
    assert.deepEqual([published.payload.toString(), published.properties?.payloadFormatIndicator], ["offline", true]);
    assert.equal(watcher.received.filter((p) => p.cmd === "publish").length, 1, "the refused client left no will behind");
    watcher.socket.destroy();
    await t.close();
  });

  it("Response Information only when the client asks for it (MQTT 5 §3.2.2.3.15, [MQTT-3.1.2-28])", async () => {
    const t = await startTestBroker();
    const asked = await rawConnected(t.port, 5, { clientId: "asker", properties: { requestResponseInformation: true } });
    assert.equal((asked.received[0] as IConnackPacket).properties?.responseInformation, "response/asker");
    for (const requestResponseInformation of [false, undefined]) {
      const c = await rawConnected(t.port, 5, { properties: { requestResponseInformation } });
      assert.equal((c.received[0] as IConnackPacket).properties?.responseInformation, undefined);
      c.socket.destroy();
    }
    // A client id that cannot be a topic level gets none rather than a basis it could not use.
    const odd = await rawConnected(t.port, 5, { clientId: "a/b+", properties: { requestResponseInformation: true } });
    assert.equal((odd.received[0] as IConnackPacket).properties?.responseInformation, undefined);
    asked.socket.destroy();
    odd.socket.destroy();
    await t.close();
  });
});
