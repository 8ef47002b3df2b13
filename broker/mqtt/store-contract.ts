// The contract every BrokerStore passes (aedes-persistence's abstract.js; MQTT.js
// test/node/abstract_store.ts). An implementation's test file calls brokerStoreContract
// once per way it can be opened; a new store is done when this suite passes unchanged.
//
// Beyond store.ts's types, the contract pins what the broker relies on after a restart:
// - load() lists retained messages by topic, sessions by client id, a session's
//   subscriptions by filter, its outgoing copies by seq and its inbound ids by packet id;
// - what load() returns is the store's copy: changing it, or an object after it was
//   handed to a mutation, changes nothing stored;
// - only sessions whose own row was saved are restored; deleteSession removes the row
//   and everything that hangs on it (subscriptions, outgoing copies, inbound ids);
// - payloads and MQTT 5 properties come back byte for byte, absent properties absent.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { BrokerStore, OutgoingMessage, StoredMessage, StoredSession, StoredSubscription } from "./store";

export type StoreHarness = {
  /** A store with nothing in it. */
  open(): Promise<BrokerStore> | BrokerStore;
  /** Closes `store` the way a stopping hub does and opens what it kept (SQLite: the same file). */
  reopen(store: BrokerStore): Promise<BrokerStore>;
};

/** 2026-01-01T00:00:00Z: fixture time, far from 0 so off-by-epoch mistakes show. */
const T0 = Date.UTC(2026, 0, 1);
const NEVER = 0xffffffff;

export function message(topic: string, payload: string | Buffer, extra: Partial<StoredMessage> = {}): StoredMessage {
  return {
    topic,
    payload: typeof payload === "string" ? Buffer.from(payload) : payload,
    qos: 1,
    retain: false,
    properties: {},
    expiresAt: null,
    receivedAt: T0,
    ...extra,
  };
}

export function session(clientId: string, extra: Partial<StoredSession> = {}): StoredSession {
  return { clientId, protocolVersion: 5, expiryInterval: 3600, disconnectedAt: null, will: null, owner: null, ...extra };
}

export function subscription(filter: string, extra: Partial<StoredSubscription> = {}): StoredSubscription {
  return { filter, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: null, ...extra };
}

export function outgoing(seq: number, m: StoredMessage, extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { seq, message: m, qos: 1, packetId: null, state: "queued", subscriptionIds: [], ...extra };
}

/** Every byte value, and bytes that are not valid UTF-8: a payload is bytes, not text. */
const BINARY = Buffer.from([...Array.from({ length: 256 }, (_, i) => i), 0xc3, 0x28, 0xff, 0x00]);

/** Every MQTT 5 property the broker carries through, with the awkward cases of each. */
const RICH_PROPERTIES = {
  payloadFormatIndicator: true,
  contentType: "application/json; charset=utf-8",
  responseTopic: "home/hall/lamp/reply",
  correlationData: Buffer.from([0x00, 0xff, 0x10, 0x80]),
  // A name given twice arrives as an array; order within it is meaningful [MQTT-3.3.2-18].
  userProperties: { origin: "zigbee2mqtt", hop: ["a", "b", "a"], "é ü": "☃", empty: "" },
};

export function brokerStoreContract(name: string, harness: StoreHarness): void {
  describe(`BrokerStore contract: ${name}`, () => {
    let store: BrokerStore;

    beforeEach(async () => {
      store = await harness.open();
    });

    afterEach(async () => {
      await store.close();
    });

    /** What a restarted hub would find: commit, close, reopen, load. */
    async function restart() {
      await store.commit();
      store = await harness.reopen(store);
      return store.load();
    }

    it("starts empty: a fresh hub has no retained messages and no sessions", async () => {
      assert.deepEqual(await store.load(), { retained: [], sessions: [] });
    });

    describe("retained messages (a switch's last state survives a restart)", () => {
      it("keeps one retained message per topic, the last one set", async () => {
        store.setRetained(message("home/hall/lamp/state", "ON", { retain: true }));
        store.setRetained(message("home/hall/lamp/state", "OFF", { retain: true, receivedAt: T0 + 1 }));
        store.setRetained(message("home/attic/fan/state", "ON", { retain: true }));
        const { retained } = await restart();
        assert.deepEqual(retained, [
          message("home/attic/fan/state", "ON", { retain: true }),
          message("home/hall/lamp/state", "OFF", { retain: true, receivedAt: T0 + 1 }),
        ]);
      });

      it("forgets a deleted retained message, and a delete of an unknown topic changes nothing", async () => {
        store.setRetained(message("home/hall/lamp/state", "ON", { retain: true }));
        store.setRetained(message("home/attic/fan/state", "ON", { retain: true }));
        store.deleteRetained("home/hall/lamp/state");
        store.deleteRetained("home/nowhere/state");
        const { retained } = await restart();
        assert.deepEqual(
          retained.map((m) => m.topic),
          ["home/attic/fan/state"],
        );
      });

      it("keeps a retained message set again after it was deleted", async () => {
        store.setRetained(message("home/hall/lamp/state", "ON", { retain: true }));
        await store.commit();
        store.deleteRetained("home/hall/lamp/state");
        store.setRetained(message("home/hall/lamp/state", "OFF", { retain: true }));
        const { retained } = await restart();
        assert.deepEqual(retained, [message("home/hall/lamp/state", "OFF", { retain: true })]);
      });

      it("round-trips binary payloads, every MQTT 5 property and the expiry exactly", async () => {
        const rich = message("home/hall/camera/snapshot", BINARY, {
          qos: 2,
          retain: true,
          properties: RICH_PROPERTIES,
          expiresAt: T0 + 3_600_000,
          receivedAt: T0 + 5,
        });
        const empty = message("home/hall/empty", Buffer.alloc(0), { qos: 0, properties: { payloadFormatIndicator: false } });
        store.setRetained(rich);
        store.setRetained(empty);
        const { retained } = await restart();
        assert.deepEqual(retained, [rich, empty]);
        assert.ok(Buffer.isBuffer(retained[0].payload) && Buffer.isBuffer(retained[0].properties.correlationData));
      });
    });

    describe("sessions (a device with clean=false finds its session after a restart)", () => {
      it("restores a session with its will, expiry and disconnect time", async () => {
        const will = { ...message("home/hall/lamp/availability", "offline", { retain: true, properties: RICH_PROPERTIES }), delaySeconds: 30 };
        store.saveSession(session("lamp", { will, protocolVersion: 4, expiryInterval: NEVER }));
        store.saveSession(session("sensor", { disconnectedAt: T0 + 10, expiryInterval: 0 }));
        const { sessions } = await restart();
        assert.deepEqual(sessions, [
          { ...session("lamp", { will, protocolVersion: 4, expiryInterval: NEVER }), subscriptions: [], outgoing: [], inbound: [] },
          { ...session("sensor", { disconnectedAt: T0 + 10, expiryInterval: 0 }), subscriptions: [], outgoing: [], inbound: [] },
        ]);
      });

      it("keeps who made a session, so only they resume it (review-8 F7)", async () => {
        store.saveSession(session("hallway-1", { owner: "device:hallway-sensor" }));
        store.saveSession(session("old", { owner: null }));
        const { sessions } = await restart();
        assert.deepEqual(sessions.map((s) => [s.clientId, s.owner]), [["hallway-1", "device:hallway-sensor"], ["old", null]]);
      });

      it("replaces a session's own row without touching its subscriptions or messages", async () => {
        store.saveSession(session("lamp"));
        store.saveSubscription("lamp", subscription("home/hall/lamp/set"));
        store.saveOutgoing("lamp", outgoing(1, message("home/hall/lamp/set", "ON")));
        store.addInbound("lamp", { packetId: 7, qos: 2 });
        await store.commit();
        store.saveSession(session("lamp", { disconnectedAt: T0 + 99, will: null, expiryInterval: 60 }));
        const [restored] = (await restart()).sessions;
        assert.equal(restored.disconnectedAt, T0 + 99);
        assert.equal(restored.expiryInterval, 60);
        assert.equal(restored.subscriptions.length, 1);
        assert.equal(restored.outgoing.length, 1);
        assert.equal(restored.inbound.length, 1);
      });

      it("keeps subscriptions with every option, one per filter, the last one saved", async () => {
        store.saveSession(session("panel"));
        const shared = subscription("$share/kitchen/home/+/temperature", { qos: 2, subscriptionId: 268_435_455 });
        const options = subscription("home/#", { qos: 0, noLocal: true, retainAsPublished: true, retainHandling: 2, subscriptionId: 1 });
        store.saveSubscription("panel", subscription("home/#"));
        store.saveSubscription("panel", options);
        store.saveSubscription("panel", shared);
        store.saveSubscription("panel", subscription("home/hall/+/state", { retainHandling: 1 }));
        store.deleteSubscription("panel", "home/hall/+/state");
        store.deleteSubscription("panel", "home/never/subscribed");
        const [restored] = (await restart()).sessions;
        assert.deepEqual(restored.subscriptions, [shared, options]);
      });

      it("deletes a session with everything that hangs on it, and nobody else's", async () => {
        for (const id of ["lamp", "fan"]) {
          store.saveSession(session(id));
          store.saveSubscription(id, subscription(`home/${id}/set`));
          store.saveOutgoing(id, outgoing(1, message(`home/${id}/set`, "ON")));
          store.addInbound(id, { packetId: 1, qos: 1 });
        }
        await store.commit();
        store.deleteSession("lamp");
        const { sessions } = await restart();
        assert.deepEqual(
          sessions.map((s) => [s.clientId, s.subscriptions.length, s.outgoing.length, s.inbound.length]),
          [["fan", 1, 1, 1]],
        );

        // A session that starts again under the same id starts empty [MQTT-3.1.2-4].
        store.saveSession(session("lamp"));
        const again = (await restart()).sessions.find((s) => s.clientId === "lamp");
        assert.deepEqual([again?.subscriptions, again?.outgoing, again?.inbound], [[], [], []]);
      });

      it("restores only sessions whose own row was saved", async () => {
        store.saveSubscription("ghost", subscription("home/#"));
        store.saveSession(session("real"));
        const { sessions } = await restart();
        assert.deepEqual(
          sessions.map((s) => s.clientId),
          ["real"],
        );
      });
    });

    describe("queued and in-flight messages (a sleeping device gets what it missed)", () => {
      it("restores a session's outgoing copies in seq order, whatever order they were saved in", async () => {
        store.saveSession(session("sleeper"));
        for (const seq of [3, 1, 2]) store.saveOutgoing("sleeper", outgoing(seq, message("home/hall/lamp/set", `m${seq}`)));
        const [restored] = (await restart()).sessions;
        assert.deepEqual(
          restored.outgoing.map((o) => [o.seq, o.message.payload.toString()]),
          [
            [1, "m1"],
            [2, "m2"],
            [3, "m3"],
          ],
        );
      });

      it("follows a copy's state by seq: queued, sent with its packet id, released, then gone", async () => {
        const m = message("home/hall/lamp/set", BINARY, { qos: 2, properties: RICH_PROPERTIES, expiresAt: T0 + 60_000 });
        store.saveSession(session("lamp"));
        store.saveOutgoing("lamp", outgoing(1, m, { qos: 2, subscriptionIds: [4, 9] }));
        store.saveOutgoing("lamp", outgoing(2, m, { qos: 1 }));
        store.saveOutgoing("lamp", outgoing(3, m, { qos: 2 }));
        await store.commit();
        store.saveOutgoing("lamp", outgoing(1, m, { qos: 2, packetId: 65_535, state: "sent", subscriptionIds: [4, 9] }));
        store.saveOutgoing("lamp", outgoing(2, m, { qos: 1, packetId: 12, state: "sent" }));
        store.saveOutgoing("lamp", outgoing(3, m, { qos: 2, packetId: 13, state: "sent" }));
        store.saveOutgoing("lamp", outgoing(3, m, { qos: 2, packetId: 13, state: "released" }));
        store.deleteOutgoing("lamp", 2); // PUBACK in
        store.deleteOutgoing("lamp", 42); // unknown: nothing happens
        const [restored] = (await restart()).sessions;
        assert.deepEqual(restored.outgoing, [
          outgoing(1, m, { qos: 2, packetId: 65_535, state: "sent", subscriptionIds: [4, 9] }),
          outgoing(3, m, { qos: 2, packetId: 13, state: "released" }),
        ]);
      });

      it("keeps seq per session: two sessions may use the same seq", async () => {
        store.saveSession(session("a"));
        store.saveSession(session("b"));
        store.saveOutgoing("a", outgoing(1, message("t/a", "for a")));
        store.saveOutgoing("b", outgoing(1, message("t/b", "for b")));
        store.deleteOutgoing("a", 1);
        const { sessions } = await restart();
        assert.deepEqual(
          sessions.map((s) => s.outgoing.map((o) => o.message.payload.toString())),
          [[], ["for b"]],
        );
      });
    });

    describe("inbound packet ids (a resent QoS 1/2 PUBLISH is not routed twice)", () => {
      it("keeps inbound ids until deleted, one per packet id", async () => {
        store.saveSession(session("sensor"));
        store.addInbound("sensor", { packetId: 9, qos: 2 });
        store.addInbound("sensor", { packetId: 2, qos: 1 });
        store.addInbound("sensor", { packetId: 5, qos: 2 });
        store.addInbound("sensor", { packetId: 2, qos: 2 }); // the id reused by a new PUBLISH
        store.deleteInbound("sensor", 5); // PUBREL in
        const [restored] = (await restart()).sessions;
        assert.deepEqual(restored.inbound, [
          { packetId: 2, qos: 2 },
          { packetId: 9, qos: 2 },
        ]);
      });
    });

    describe("copies", () => {
      it("stores what it was given at the time: later changes to the caller's objects are not stored", async () => {
        const m = message("home/hall/lamp/state", "ON", { properties: { userProperties: { a: ["1"] }, correlationData: Buffer.from("c") } });
        const o = outgoing(1, m, { subscriptionIds: [1] });
        store.saveSession(session("lamp"));
        store.setRetained(m);
        store.saveOutgoing("lamp", o);
        m.payload[0] = 0x21;
        (m.properties.userProperties!.a as string[]).push("2");
        m.properties.correlationData![0] = 0x21;
        o.state = "sent";
        o.subscriptionIds.push(2);
        const { retained, sessions } = await restart();
        const original = message("home/hall/lamp/state", "ON", { properties: { userProperties: { a: ["1"] }, correlationData: Buffer.from("c") } });
        assert.deepEqual(retained, [original]);
        assert.deepEqual(sessions[0].outgoing, [outgoing(1, original, { subscriptionIds: [1] })]);
      });

      it("hands out copies: changing what load() returned changes nothing stored", async () => {
        store.setRetained(message("home/hall/lamp/state", "ON"));
        store.saveSession(session("lamp"));
        store.saveSubscription("lamp", subscription("home/#"));
        await store.commit();
        const first = await store.load();
        first.retained[0].payload[0] = 0x21;
        first.sessions[0].subscriptions[0].qos = 0;
        first.sessions[0].expiryInterval = 1;
        const second = await store.load();
        assert.equal(second.retained[0].payload.toString(), "ON");
        assert.equal(second.sessions[0].subscriptions[0].qos, 1);
        assert.equal(second.sessions[0].expiryInterval, 3600);
      });
    });

    describe("commit", () => {
      it("resolves each commit only after every earlier mutation is stored, in order", async () => {
        const resolved: number[] = [];
        const commits: Promise<void>[] = [];
        store.saveSession(session("sensor"));
        for (let i = 0; i < 50; i++) {
          store.setRetained(message(`home/room${i}/temperature`, String(i), { retain: true }));
          const n = i;
          commits.push(
            store.commit().then(async () => {
              resolved.push(n);
              // What this commit promised is visible to a reader now.
              const { retained } = await store.load();
              assert.ok(retained.some((m) => m.topic === `home/room${n}/temperature`), `commit ${n} holds its message`);
            }),
          );
        }
        await Promise.all(commits);
        assert.deepEqual(
          resolved,
          Array.from({ length: 50 }, (_, i) => i),
        );
        const { retained } = await restart();
        assert.equal(retained.length, 50);
      });

      it("resolves a commit with nothing pending", async () => {
        await store.commit();
        await store.commit();
        assert.deepEqual(await store.load(), { retained: [], sessions: [] });
      });

      it("keeps what was mutated before close without an explicit commit", async () => {
        store.setRetained(message("home/hall/lamp/state", "ON", { retain: true }));
        store.saveSession(session("lamp"));
        store = await harness.reopen(store);
        const state = await store.load();
        assert.deepEqual(
          [state.retained.length, state.sessions.length],
          [1, 1],
        );
      });
    });
  });
}
