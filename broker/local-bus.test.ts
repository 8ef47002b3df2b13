// The local bus under a burst: mqemitter (aedes's emitter) queues messages past its
// concurrency, and each queued one is started from the previous one's completion.
// A listener that completes synchronously, as the bus's tap does, made that one
// stack frame deeper per queued message until "Maximum call stack size exceeded"
// (mcollina/mqemitter#204, seen in bench/memory.ts with 1,000 clients).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Aedes, type AedesPublishPacket } from "aedes";
import { createLocalBus } from "./local-bus";

const QUEUED = 20_000;

let broker: Aedes;
before(async () => {
  broker = await Aedes.createBroker({ concurrency: 100 });
});
after(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

const publish = (topic: string) =>
  broker.publish({ cmd: "publish", topic, payload: Buffer.from("1"), qos: 0, retain: false, dup: false }, () => {});

describe("local bus in a burst", () => {
  it(`delivers ${QUEUED} messages queued behind slow deliveries without overflowing the stack`, async () => {
    // A subscriber that finishes a turn later, like a client's QoS 0 delivery: it fills the emitter's concurrency.
    await new Promise<void>((resolve) =>
      broker.subscribe("slow/x", (_packet: AedesPublishPacket, done: () => void) => setImmediate(done), () => resolve()),
    );
    const bus = createLocalBus(broker);
    let seen = 0;
    let resolveAll!: () => void;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    await bus.subscribe("fast/#", () => {
      if (++seen === QUEUED) resolveAll();
    });
    for (let i = 0; i < 200; i++) publish("slow/x");
    for (let i = 0; i < QUEUED; i++) publish("fast/x");
    await all;
    assert.equal(seen, QUEUED);
  });
});
