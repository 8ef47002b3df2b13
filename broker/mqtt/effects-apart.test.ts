// History in another database than the broker's state (PostgreSQL, broker/hub-stores.ts):
// the two commits cannot be one, so they are ordered — a QoS 2 inbound id is stored only
// after the reading's row (the onPublished effect) has committed. A crash between them
// then makes the resend a new message (a possible duplicate), never a duplicate taken
// for stored when its row is not (a loss). README, "What is promised when".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deferred } from "../../lib/deferred";
import { createMemoryStore } from "./memory-store";
import type { BrokerStore } from "./store";
import { startTestBroker } from "./test-server";
import { rawConnected, until } from "./test-clients";

describe("effects that commit apart from the broker's store", () => {
  it("a QoS 2 inbound id is stored only after the message's effect has committed", async () => {
    const store: BrokerStore = Object.assign(createMemoryStore(), { effectsCommitApart: true });
    const row = deferred();
    let published = false;
    const t = await startTestBroker({
      store,
      hooks: [{ onPublished: () => ((published = true), row.promise) }],
    });
    const c = await rawConnected(t.port, 4, { clientId: "apart", clean: false });
    c.send({ cmd: "publish", topic: "home/attic/temperature", payload: Buffer.from("21.5"), qos: 2, dup: false, retain: false, messageId: 9 });
    await until(() => published, "the effect started");
    const inbound = async () => (await store.load()).sessions.find((s) => s.clientId === "apart")?.inbound;
    await store.commit();
    assert.deepEqual(await inbound(), [], "no id stored while the row is not");
    assert.equal(c.received.some((p) => p.cmd === "pubrec"), false);
    row.resolve();
    assert.equal((await c.next("pubrec")).messageId, 9);
    await store.commit();
    assert.deepEqual(await inbound(), [{ packetId: 9, qos: 2 }]);
    c.socket.destroy();
    await t.close();
  });
});
