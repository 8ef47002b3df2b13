import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { HistoryStore } from "../lib/history/store";
import type { Fields, Logger } from "../lib/log";
import type { Reading } from "../lib/readings";
import { topicMatches } from "../lib/topics";
import { createBusMessage } from "../lib/bus-message";
import type { Bus, BusHandler } from "./bus";
import { ReadingNotStored, startRecorder, type RecorderOptions } from "./recorder";

const T0 = Date.UTC(2026, 0, 1);

/**
 * The Bus as the recorder sees it, in memory: a publish reaches every matching handler at once, received at `now()`.
 * `deliver` hands one message to the handlers and returns what they returned: the promise
 * the broker waits on before it acknowledges the message.
 */
function createFakeBus(now: () => number) {
  const subscriptions = new Set<{ filter: string; handler: BusHandler }>();
  const bus: Bus = {
    async subscribe(filter, handler) {
      const subscription = { filter, handler };
      subscriptions.add(subscription);
      return async () => {
        subscriptions.delete(subscription);
      };
    },
    async publish(topic, payload, options = {}) {
      const message = createBusMessage({
        topic,
        payload: typeof payload === "string" ? Buffer.from(payload) : payload,
        retain: options.retain ?? false,
        qos: options.qos ?? 0,
        receivedAt: now(),
      });
      for (const { filter, handler } of subscriptions) {
        if (topicMatches(filter, topic)) handler(message);
      }
    },
  };
  const deliver = (topic: string, payload: string) => {
    const message = createBusMessage({ topic, payload: Buffer.from(payload), retain: false, qos: 1, receivedAt: now() });
    const returned = [...subscriptions].filter(({ filter }) => topicMatches(filter, topic)).map(({ handler }) => handler(message));
    return returned[0] as Promise<void> | undefined;
  };
  return { bus, deliver, filters: () => [...subscriptions].map((s) => s.filter) };
}

type Line = { level: keyof Logger; message: string; fields: Fields };

function createCollectingLogger() {
  const lines: Line[] = [];
  const line = (level: keyof Logger) => (message: string, fields: Fields = {}) => {
    lines.push({ level, message, fields });
  };
  const log: Logger = { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
  return { log, lines };
}

/** Lets queued promise callbacks and I/O callbacks run, as they would between two MQTT messages. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Follows a promise without awaiting it: `settled.value` says whether it resolved, rejected, or not yet. */
function watch(promise: Promise<void> | undefined) {
  const settled = { value: "pending" as "pending" | "resolved" | Error };
  assert.ok(promise, "a reading gives the broker a promise to wait on");
  promise.then(
    () => (settled.value = "resolved"),
    (error: Error) => (settled.value = error),
  );
  return settled;
}

/** A store whose appends fail while `failing` is true, and that counts appends running at once. */
function instrument(inner: HistoryStore) {
  const state = { failing: false, calls: 0, active: 0, maxActive: 0, gate: null as Promise<void> | null, reads: 0 };
  const store: HistoryStore = {
    ...inner,
    readRaw(q) {
      state.reads++;
      return inner.readRaw(q);
    },
    async append(readings: readonly Reading[]) {
      state.calls++;
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      try {
        if (state.gate) await state.gate;
        if (state.failing) throw new Error("disk I/O error");
        await inner.append(readings);
      } finally {
        state.active--;
      }
    },
  };
  return { store, state };
}

/**
 * A recorder on a fake bus and an instrumented in-memory SQLite store, with a hand-driven clock.
 * The flush interval is an hour, so only maxBatch, flush() and stop() write unless a test says otherwise.
 */
async function setup(t: TestContext, opts: RecorderOptions = {}) {
  const sqlite = openSqliteHistory(":memory:");
  const { store, state } = instrument(sqlite);
  const clock = { now: T0 };
  const { bus, deliver, filters } = createFakeBus(() => clock.now);
  const { log, lines } = createCollectingLogger();
  const recorder = await startRecorder(bus, store, { flushIntervalMs: 3_600_000, log, now: () => clock.now, ...opts });
  t.after(async () => {
    await recorder.stop();
    await sqlite.close();
  });
  const points = async (topic: string) =>
    (await sqlite.query({ topic, from: T0 - 3_600_000, to: T0 + 3_600_000, maxPoints: 1000 })).points;
  return { bus, deliver, filters, store: sqlite, state, recorder, lines, clock, points };
}

describe("startRecorder", () => {
  it("records readings from every room, queryable after flush", async (t) => {
    const { bus, filters, recorder, points, store } = await setup(t);
    assert.deepEqual(filters(), ["#"]);
    await bus.publish("home/attic/temperature", "21.5");
    await bus.publish("home/kitchen/humidity", " 40 ");
    assert.deepEqual(recorder.stats(), { recorded: 0, unreadable: 0, pending: 2 });

    await recorder.flush();
    assert.deepEqual(recorder.stats(), { recorded: 2, unreadable: 0, pending: 0 });
    assert.deepEqual(await points("home/attic/temperature"), [{ t: T0, v: 21.5 }]);
    assert.deepEqual(await store.latest(), [
      { topic: "home/attic/temperature", room: "attic", measurement: "temperature", value: 21.5, unit: "°C", ts: T0 },
      { topic: "home/kitchen/humidity", room: "kitchen", measurement: "humidity", value: 40, unit: "%", ts: T0 },
    ]);
  });

  it("honours the unit and timestamp a JSON payload carries", async (t) => {
    const { bus, recorder, store } = await setup(t);
    await bus.publish("home/garage/power", JSON.stringify({ value: 1.5, unit: "kW", ts: T0 - 60_000 }));
    await bus.publish("home/garage/energy", JSON.stringify({ value: "12.25", ts: (T0 - 30_000) / 1000 }));
    await recorder.flush();
    assert.deepEqual(
      (await store.latest()).map(({ topic, value, unit, ts }) => ({ topic, value, unit, ts })),
      [
        { topic: "home/garage/energy", value: 12.25, unit: "kWh", ts: T0 - 30_000 },
        { topic: "home/garage/power", value: 1.5, unit: "kW", ts: T0 - 60_000 },
      ],
    );
  });

  it("skips garbage, oversized and empty payloads and keeps recording everything else", async (t) => {
    const { bus, recorder, lines, points } = await setup(t);
    // Sensors that have carried readings: what they send that is not one is warned about.
    await bus.publish("home/attic/temperature", "20");
    await bus.publish("home/attic/humidity", "50");
    await recorder.flush();
    await bus.publish("home/attic/temperature", "hello");
    await bus.publish("home/attic/humidity", Buffer.alloc(1024 * 1024, "7"));
    await bus.publish("home/attic/pressure", "");
    await bus.publish("home/attic/lamp/state", "ON"); // a switch, not a measurement: not the recorder's business
    await bus.publish("home/kitchen/temperature", "22");
    await bus.publish("home/attic/temperature", "21");
    await recorder.flush();

    await settle();
    assert.deepEqual(recorder.stats(), { recorded: 4, unreadable: 2, pending: 0 });
    assert.deepEqual(await points("home/attic/temperature"), [{ t: T0, v: 20 }, { t: T0, v: 21 }]);
    assert.deepEqual(await points("home/kitchen/temperature"), [{ t: T0, v: 22 }]);
    assert.deepEqual(await points("home/attic/humidity"), [{ t: T0, v: 50 }]);
    assert.deepEqual(
      lines.map(({ level, message, fields }) => [level, message, fields.topic, fields.code]).sort(),
      [
        ["debug", "ignored empty payload", "home/attic/pressure", undefined],
        ["warn", "unreadable reading", "home/attic/humidity", "too-large"],
        ["warn", "unreadable reading", "home/attic/temperature", "not-a-number"],
      ],
    );
  });

  it("says once, at info, that a topic which never carried a reading is not a sensor (review-10 F10: OpenMQTTGateway's home/<gateway>/LWT)", async (t) => {
    const { bus, recorder, lines, clock } = await setup(t);
    await bus.publish("home/OMG_ESP32_BLE/LWT", "online");
    await bus.publish("home/OMG_ESP32_BLE/SYStoMQTT", '{"uptime":120,"freemem":120000}');
    clock.now = T0 + 120_000; // its next status, two minutes on
    await bus.publish("home/OMG_ESP32_BLE/SYStoMQTT", '{"uptime":240,"freemem":119000}');
    await settle();
    assert.deepEqual(
      lines.map(({ level, fields }) => [level, fields.topic, fields.code]),
      [
        ["info", "home/OMG_ESP32_BLE/LWT", "not-a-number"],
        ["info", "home/OMG_ESP32_BLE/SYStoMQTT", "bad-json"],
        ["debug", "home/OMG_ESP32_BLE/SYStoMQTT", "bad-json"],
      ],
    );
    // A topic that carries a number becomes a sensor: its garbage is warned about from then on.
    await bus.publish("home/OMG_ESP32_BLE/LWT", "1");
    await recorder.flush();
    clock.now = T0 + 240_000;
    await bus.publish("home/OMG_ESP32_BLE/LWT", "offline");
    await settle();
    assert.deepEqual(lines.at(-1)?.level, "warn");
  });

  it("tells a sensor gone wrong from a topic that is none without asking the history or writing early, even while the database is away (review-13 F4)", async (t) => {
    const { bus, recorder, state, lines } = await setup(t);
    await bus.publish("home/attic/temperature", "20");
    state.failing = true; // the database goes away: the reading waits for the next try
    await recorder.flush();
    assert.equal(state.calls, 1);
    lines.length = 0;

    await bus.publish("home/attic/temperature", "hello");
    // Twenty gateways' status topics (or a script spraying them): each is new to the log's pace.
    for (let i = 0; i < 20; i++) await bus.publish(`home/gateway${i}/LWT`, "online");
    await settle();
    await settle();

    assert.equal(state.calls, 1, "no write attempt beyond the store's own retry");
    assert.equal(state.reads, 0, "no history query per message");
    assert.deepEqual(lines[0], {
      level: "warn",
      message: "unreadable reading",
      fields: { topic: "home/attic/temperature", code: "not-a-number", message: 'payload "hello" is not a number', suppressed: undefined },
    });
    assert.deepEqual(new Set(lines.slice(1).map((l) => [l.level, l.fields.code].join(" "))), new Set(["info not-a-number"]));
    assert.equal(lines.length, 21);
  });

  it("warns about a new sensor that only ever sends text, as about any sensor's unreadable payload (review-13 F5)", async (t) => {
    const { bus, lines } = await setup(t);
    await bus.publish("home/garage/door", "open");
    await bus.publish("home/OpenMQTTGateway/LORAtoMQTT", '{"rssi":-62,"snr":9.5,"message":"hello"}');
    await bus.publish("home/OpenMQTTGateway/version", "v1.8.0");
    await settle();
    assert.deepEqual(
      lines.map(({ level, fields }) => [level, fields.topic, fields.code]),
      [
        ["warn", "home/garage/door", "not-a-number"],
        ["info", "home/OpenMQTTGateway/LORAtoMQTT", "bad-json"],
        ["info", "home/OpenMQTTGateway/version", "not-a-number"],
      ],
    );
  });

  it("keeps every other numeric topic too, silently skipping what is not a number and the broker's $SYS", async (t) => {
    const { bus, recorder, lines, points, store } = await setup(t);
    await bus.publish("office/desk/temperature", "19");
    await bus.publish("garage/meter/power", JSON.stringify({ value: 1500, unit: "W" }));
    await bus.publish("zigbee2mqtt/bridge/state", "online");
    await bus.publish("zigbee2mqtt/sensor", JSON.stringify({ temperature: 21, humidity: 40 }));
    await bus.publish("$SYS/broker/load", "5");
    await recorder.flush();

    assert.deepEqual(recorder.stats(), { recorded: 2, unreadable: 0, pending: 0 });
    assert.deepEqual(await points("office/desk/temperature"), [{ t: T0, v: 19 }]);
    assert.deepEqual(await store.topics(), [
      { topic: "garage/meter/power", unit: "W" },
      { topic: "office/desk/temperature", unit: "°C" },
    ]);
    // The dashboard's rooms come from home/ topics only.
    assert.deepEqual(await store.latest(), []);
    assert.deepEqual(lines, []);
  });

  it("stores a plain-numeric sensor's readings in the unit its device declared for the topic, and none of a topic it is told to skip", async (t) => {
    const routes = new Map([
      ["livingroom-node/sensor/temperature/state", { skip: false, unit: "°F" } as const],
      ["shellies/plug/power", { skip: true } as const],
    ]);
    const { bus, recorder, store } = await setup(t, { routeOf: (topic) => routes.get(topic) ?? null });
    await bus.publish("livingroom-node/sensor/temperature/state", "68.5");
    await bus.publish("shellies/plug/power", "1500");
    await bus.publish("office/desk/temperature", "19");
    await recorder.flush();
    assert.deepEqual(await store.topics(), [
      { topic: "livingroom-node/sensor/temperature/state", unit: "°F" },
      { topic: "office/desk/temperature", unit: "°C" },
    ]);
  });

  it("warns about a topic's unreadable payloads once a minute, then counts what it held back", async (t) => {
    const { bus, lines, clock, recorder } = await setup(t);
    await bus.publish("home/x/y", "1");
    await bus.publish("home/x/z", "1");
    await recorder.flush();
    const publishAt = async (offsetMs: number, topic: string) => {
      clock.now = T0 + offsetMs;
      await bus.publish(topic, "NaN?");
    };
    await publishAt(0, "home/x/y");
    await publishAt(10_000, "home/x/y");
    await publishAt(20_000, "home/x/z"); // another topic has its own minute
    await publishAt(59_999, "home/x/y");
    await publishAt(60_000, "home/x/y");
    await publishAt(61_000, "home/x/y");
    await publishAt(80_000, "home/x/z");

    const warning = (topic: string, suppressed?: number) => ({
      level: "warn",
      message: "unreadable reading",
      fields: { topic, code: "not-a-number", message: 'payload "NaN?" is not a number', suppressed },
    });
    await settle();
    assert.deepEqual(lines, [warning("home/x/y"), warning("home/x/z"), warning("home/x/y", 2), warning("home/x/z")]);
  });

  it("writes as soon as maxBatch readings are pending", async (t) => {
    const { bus, recorder, points } = await setup(t, { maxBatch: 3 });
    await bus.publish("home/attic/temperature", "20");
    await bus.publish("home/attic/temperature", "21");
    await settle();
    assert.deepEqual(recorder.stats(), { recorded: 0, unreadable: 0, pending: 2 });

    await bus.publish("home/attic/temperature", "22");
    await settle();
    assert.deepEqual(recorder.stats(), { recorded: 3, unreadable: 0, pending: 0 });
    assert.equal((await points("home/attic/temperature")).length, 3);
  });

  it("writes a partial batch when the flush interval has passed", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const { bus, recorder } = await setup(t, { flushIntervalMs: 250 });
    await bus.publish("home/attic/temperature", "20");
    t.mock.timers.tick(249);
    await settle();
    assert.equal(recorder.stats().pending, 1);

    t.mock.timers.tick(1);
    await settle();
    assert.deepEqual(recorder.stats(), { recorded: 1, unreadable: 0, pending: 0 });
  });

  it("never runs two appends at once", async (t) => {
    const { bus, recorder, state } = await setup(t, { maxBatch: 2 });
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));

    for (const value of ["1", "2", "3", "4", "5"]) await bus.publish("home/attic/temperature", value);
    const flushed = recorder.flush(); // while the maxBatch write is held at the gate
    await settle();
    assert.equal(state.calls, 1);

    open();
    await flushed;
    assert.deepEqual([state.calls, state.maxActive], [3, 1]);
    assert.deepEqual(recorder.stats(), { recorded: 5, unreadable: 0, pending: 0 });
  });

  it("keeps the readings of a failed write for the next try and logs the failure", async (t) => {
    const { bus, recorder, state, lines, points } = await setup(t);
    await bus.publish("home/attic/temperature", "20");
    await bus.publish("home/attic/temperature", "21");

    state.failing = true;
    await recorder.flush();
    assert.deepEqual(recorder.stats(), { recorded: 0, unreadable: 0, pending: 2 });
    assert.deepEqual(lines, [
      {
        level: "error",
        message: "history write failed; keeping the readings for the next try",
        fields: { count: 2, pending: 2, dropped: undefined, error: "disk I/O error" },
      },
    ]);

    state.failing = false;
    await recorder.flush();
    assert.deepEqual(recorder.stats(), { recorded: 2, unreadable: 0, pending: 0 });
    assert.deepEqual(
      (await points("home/attic/temperature")).map((p) => p.v),
      [20, 21],
    );
  });

  it("bounds the readings held while the store fails, dropping the oldest and saying how many", async (t) => {
    const { bus, recorder, state, lines, clock, points } = await setup(t, { maxBatch: 2 });
    state.failing = true;
    // With maxBatch 2 the recorder holds at most 20 readings.
    for (let i = 0; i < 25; i++) {
      clock.now = T0 + i * 1000;
      await bus.publish("home/attic/temperature", String(i));
      await settle();
    }
    assert.equal(recorder.stats().pending, 20);

    state.failing = false;
    await recorder.flush();
    assert.deepEqual(recorder.stats(), { recorded: 20, unreadable: 0, pending: 0 });
    assert.deepEqual(
      (await points("home/attic/temperature")).map((p) => p.v),
      Array.from({ length: 20 }, (_, i) => i + 5),
    );
    assert.deepEqual(
      lines.filter((l) => l.level === "error").map((l) => l.message),
      ["history write failed; keeping the readings for the next try", "history store fell behind; dropped the oldest readings"],
    );
    assert.deepEqual(lines.at(-1)?.fields, { dropped: 5 });
  });

  it("refuses a maxBatch that could never drain the buffer", async () => {
    const { bus } = createFakeBus(Date.now);
    const store = openSqliteHistory(":memory:");
    try {
      await assert.rejects(startRecorder(bus, store, { maxBatch: 0 }), RangeError);
    } finally {
      await store.close();
    }
  });

  it("writes what is pending on stop and listens no more", async (t) => {
    const { bus, filters, recorder, points } = await setup(t);
    await bus.publish("home/attic/temperature", "20");
    await bus.publish("home/attic/temperature", "21");
    await recorder.stop();
    assert.deepEqual(filters(), []);
    assert.deepEqual(
      (await points("home/attic/temperature")).map((p) => p.v),
      [20, 21],
    );

    await bus.publish("home/attic/temperature", "22");
    assert.deepEqual(recorder.stats(), { recorded: 2, unreadable: 0, pending: 0 });
  });

  describe("acknowledged means stored (issue 12)", () => {
    it("lets a reading's message be acknowledged only once the transaction holding it has committed", async (t) => {
      const { deliver, state, points } = await setup(t, { flushIntervalMs: 0 });
      let open!: () => void;
      state.gate = new Promise((resolve) => (open = resolve));
      const acked = watch(deliver("home/attic/temperature", "21.5"));
      await settle();
      await settle();
      assert.equal(acked.value, "pending");
      assert.deepEqual(await points("home/attic/temperature"), []);

      open();
      await settle();
      assert.equal(acked.value, "resolved");
      assert.deepEqual(await points("home/attic/temperature"), [{ t: T0, v: 21.5 }]);
    });

    it("writes every reading that arrived in one turn as one transaction, without waiting for a timer", async (t) => {
      const { deliver, state, points } = await setup(t, { flushIntervalMs: 0 });
      const acks = ["20", "21", "22"].map((v) => deliver("home/attic/temperature", v));
      acks.push(deliver("office/desk/temperature", "19"));
      await Promise.all(acks);
      assert.equal(state.calls, 1);
      assert.equal((await points("home/attic/temperature")).length, 3);

      await deliver("home/attic/temperature", "23");
      assert.equal(state.calls, 2);
    });

    it("gives nothing to wait on for a message that is not a reading", async (t) => {
      const { deliver } = await setup(t, { flushIntervalMs: 0 });
      assert.equal(deliver("home/attic/lamp/state", "ON"), undefined);
      assert.equal(deliver("home/attic/temperature", "hello"), undefined);
      assert.equal(deliver("zigbee2mqtt/bridge/state", "online"), undefined);
      assert.equal(deliver("$SYS/broker/load", "5"), undefined);
    });

    it("keeps the acknowledgement waiting while the store fails, and gives it once a retry stores the reading", async (t) => {
      const { deliver, recorder, state, points } = await setup(t);
      state.failing = true;
      const acked = watch(deliver("home/attic/temperature", "20"));
      await recorder.flush();
      await settle();
      assert.equal(acked.value, "pending");

      state.failing = false;
      await recorder.flush();
      await settle();
      assert.equal(acked.value, "resolved");
      assert.deepEqual(
        (await points("home/attic/temperature")).map((p) => p.v),
        [20],
      );
    });

    it("fails the acknowledgement of a reading dropped while the store fails, never reporting it stored", async (t) => {
      const { deliver, state, clock } = await setup(t, { maxBatch: 2 });
      state.failing = true;
      const acks = [];
      // With maxBatch 2 the recorder holds at most 20 readings: the first of 21 is dropped.
      for (let i = 0; i < 21; i++) {
        clock.now = T0 + i * 1000;
        acks.push(watch(deliver("home/attic/temperature", String(i))));
        await settle();
      }
      const first = acks[0].value;
      assert.ok(first instanceof ReadingNotStored && first.code === "reading-not-stored" && first.reason === "dropped");
      assert.equal(acks[20].value, "pending");
    });

    it("fails the acknowledgement of readings still unwritten when the recorder stops", async (t) => {
      const { deliver, recorder, state } = await setup(t);
      state.failing = true;
      const acked = watch(deliver("home/attic/temperature", "20"));
      await recorder.stop();
      await settle();
      assert.ok(acked.value instanceof ReadingNotStored && acked.value.reason === "stopped");
      const late = { topic: "home/attic/temperature", room: "attic", measurement: "temperature", value: 21, unit: "°C", ts: T0 };
      await assert.rejects(recorder.record(late), ReadingNotStored);
    });
  });
});
