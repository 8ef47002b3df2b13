import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { deviceKey } from "./devices/live-registry";
import { frameOrTimeout } from "./frame-schedule";
import { createLiveStore, type LiveStore } from "./live-store";
import type { Reading } from "./readings";

const T0 = 1_700_000_000_000;
const text = (s: string) => new TextEncoder().encode(s);

/** A store whose frames and clock the test drives by hand. */
function setup(options: { maxPointsPerTopic?: number } = {}) {
  const frames: Array<() => void> = [];
  let clock = T0;
  const store = createLiveStore({
    schedule: (callback) => {
      frames.push(callback);
      return () => {
        const i = frames.indexOf(callback);
        if (i >= 0) frames.splice(i, 1);
      };
    },
    now: () => clock,
    ...options,
  });
  return {
    store,
    frames,
    /** Runs the callbacks scheduled so far, as the browser would on the next frame. */
    frame() {
      for (const callback of frames.splice(0)) callback();
    },
    advance(ms: number) {
      clock += ms;
    },
  };
}

function counter(subscribe: (listener: () => void) => () => void) {
  let calls = 0;
  const unsubscribe = subscribe(() => calls++);
  return { get calls() { return calls; }, unsubscribe };
}

let warn: ReturnType<typeof mock.method>;
beforeEach(() => {
  warn = mock.method(console, "warn", () => {});
});
afterEach(() => {
  warn.mock.restore();
});

describe("live store: measurements", () => {
  it("applies messages on the next frame, not before", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("31.7"));
    assert.equal(store.getTopic("home/attic/temperature"), undefined);
    frame();
    const snapshot = store.getTopic("home/attic/temperature");
    assert.equal(snapshot?.reading?.value, 31.7);
    assert.equal(snapshot?.reading?.unit, "°C");
    assert.equal(snapshot?.room, "attic");
    assert.equal(snapshot?.measurement, "temperature");
    assert.deepEqual(snapshot?.points, [{ t: T0, v: 31.7 }]);
    assert.equal(snapshot?.error, null);
  });

  it("many messages in one frame schedule one flush and notify once", () => {
    const { store, frames, frame } = setup();
    const topic = counter((l) => store.subscribeTopic("home/attic/temperature", l));
    const rooms = counter((l) => store.subscribeRooms(l));
    for (let i = 0; i < 100; i++) store.ingest("home/attic/temperature", text(String(20 + i / 10)));
    assert.equal(frames.length, 1);
    frame();
    assert.equal(topic.calls, 1);
    assert.equal(rooms.calls, 1);
    const snapshot = store.getTopic("home/attic/temperature");
    assert.equal(snapshot?.reading?.value, 29.9);
    assert.equal(snapshot?.points.length, 100);
  });

  it("a topic snapshot keeps its identity while another topic changes", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("31.7"));
    store.ingest("home/attic/humidity", text("40"));
    frame();
    const temperature = store.getTopic("home/attic/temperature");
    const listener = counter((l) => store.subscribeTopic("home/attic/temperature", l));
    store.ingest("home/attic/humidity", text("41"));
    store.ingest("home/kitchen/temperature", text("22"));
    frame();
    assert.equal(store.getTopic("home/attic/temperature"), temperature);
    assert.equal(listener.calls, 0);
    assert.equal(store.getTopic("home/attic/humidity")?.reading?.value, 41);
  });

  it("a changed topic gets a new snapshot and the old one is left as it was", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("31.7"));
    frame();
    const before = store.getTopic("home/attic/temperature")!;
    store.ingest("home/attic/temperature", text("32"));
    frame();
    const after = store.getTopic("home/attic/temperature")!;
    assert.notEqual(after, before);
    assert.equal(before.reading?.value, 31.7);
    assert.equal(before.points.length, 1);
    assert.equal(after.points.length, 2);
  });

  it("keeps the newest live points up to the cap", () => {
    const { store, frame, advance } = setup({ maxPointsPerTopic: 3 });
    for (let i = 0; i < 5; i++) {
      store.ingest("home/attic/temperature", text(String(i)));
      advance(1000);
    }
    frame();
    assert.deepEqual(store.getTopic("home/attic/temperature")?.points.map((p) => p.v), [2, 3, 4]);
  });

  it("a retained reading becomes the current reading but not a live point", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("30"), { retained: true });
    frame();
    const snapshot = store.getTopic("home/attic/temperature");
    assert.equal(snapshot?.reading?.value, 30);
    assert.deepEqual(snapshot?.points, []);
  });
});

describe("live store: unreadable payloads", () => {
  const junk = new Uint8Array(1024 * 1024).map((_, i) => (i * 31 + 7) % 256);
  const table: Array<{ name: string; payload: Uint8Array; code: string }> = [
    { name: "text", payload: text("warm"), code: "not-a-number" },
    { name: "1 MB of junk bytes", payload: junk, code: "too-large" },
    { name: "invalid UTF-8", payload: new Uint8Array([0x32, 0xff, 0xfe, 0x35]), code: "not-utf8" },
    { name: "JSON without a value", payload: text('{"unit":"°C"}'), code: "bad-json" },
  ];
  for (const c of table) {
    it(`${c.name}: sets the error and keeps the last good reading`, () => {
      const { store, frame, advance } = setup();
      store.ingest("home/attic/temperature", text("31.7"));
      frame();
      const good = store.getTopic("home/attic/temperature")!;
      advance(5000);
      store.ingest("home/attic/temperature", c.payload);
      frame();
      const snapshot = store.getTopic("home/attic/temperature")!;
      assert.equal(snapshot.error?.code, c.code);
      assert.equal(snapshot.error?.at, T0 + 5000);
      assert.equal(snapshot.reading, good.reading);
      assert.equal(snapshot.points, good.points);
      assert.match(String(warn.mock.calls[0]?.arguments[0]), /home\/attic\/temperature/);
    });
  }

  it("a gateway's status topic that never carried a reading is no sensor: no tile, no room, no warning (review-10 F10)", () => {
    const { store, frame } = setup();
    // OpenMQTTGateway's status, under its default base topic home/.
    store.ingest("home/OMG_ESP32_BLE/LWT", text("online"));
    store.ingest("home/OMG_ESP32_BLE/SYStoMQTT", text('{"uptime":120,"freemem":120000,"version":"v1.8.0"}'));
    store.ingest("home/OMG_ESP32_BLE/version", text("v1.8.0"));
    store.ingest("home/OMG_ESP32_BLE/LORAtoMQTT", text('{"rssi":-62,"snr":9.5,"message":"hello"}'));
    frame();
    assert.equal(store.getTopic("home/OMG_ESP32_BLE/LWT"), undefined);
    assert.deepEqual(store.getRooms(), []);
    assert.equal(warn.mock.callCount(), 0);
    // One that carries a number later is a sensor from then on.
    store.ingest("home/attic/temperature", text("n/a"));
    frame();
    store.ingest("home/attic/temperature", text("21.5"));
    frame();
    assert.deepEqual(store.getRooms().map((r) => r.topics), [["home/attic/temperature"]]);
  });

  it("a new sensor that only ever sends text shows its tile, unreadable, from its first message (review-13 F5)", () => {
    const { store, frame } = setup();
    store.ingest("home/garage/door", text("open"));
    frame();
    assert.equal(store.getTopic("home/garage/door")?.error?.code, "not-a-number");
    assert.equal(store.getTopic("home/garage/door")?.reading, null);
    assert.deepEqual(store.getRooms().map((r) => r.topics), [["home/garage/door"]]);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /home\/garage\/door/);
  });

  it("the next good payload clears the error", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("20"));
    store.ingest("home/attic/temperature", text("n/a"));
    frame();
    assert.equal(store.getTopic("home/attic/temperature")?.error?.code, "not-a-number");
    store.ingest("home/attic/temperature", text("21.5"));
    frame();
    const snapshot = store.getTopic("home/attic/temperature");
    assert.equal(snapshot?.error, null);
    assert.equal(snapshot?.reading?.value, 21.5);
  });

  it("an empty payload is ignored, not an error", () => {
    const { store, frames, frame } = setup();
    store.ingest("home/attic/temperature", text("31.7"));
    frame();
    const before = store.getTopic("home/attic/temperature");
    store.ingest("home/attic/temperature", new Uint8Array(0));
    assert.equal(frames.length, 0);
    frame();
    assert.equal(store.getTopic("home/attic/temperature"), before);
    assert.equal(warn.mock.callCount(), 0);
  });

  it("warns at most once a minute per topic", () => {
    const { store, frame, advance } = setup();
    store.ingest("home/attic/temperature", text("20"));
    store.ingest("home/attic/humidity", text("40"));
    store.ingest("home/attic/temperature", text("x"));
    frame();
    advance(30_000);
    store.ingest("home/attic/temperature", text("x"));
    store.ingest("home/attic/humidity", text("x"));
    frame();
    assert.equal(warn.mock.callCount(), 2);
    advance(30_000);
    store.ingest("home/attic/temperature", text("x"));
    frame();
    assert.equal(warn.mock.callCount(), 3);
  });
});

describe("live store: rooms index", () => {
  it("is sorted by label, with sorted topics and devices", () => {
    const { store, frame } = setup();
    store.ingest("home/living_room/temperature", text("21"));
    store.ingest("home/attic/temperature", text("31"));
    store.ingest("home/attic/humidity", text("40"));
    store.ingest("home/attic/fan/state", text("ON"));
    store.ingest("home/attic/dehumidifier/availability", text("online"));
    frame();
    assert.deepEqual(store.getRooms(), [
      {
        room: "attic",
        label: "Attic",
        topics: ["home/attic/humidity", "home/attic/temperature"],
        devices: ["attic/dehumidifier", "attic/fan"],
      },
      { room: "living_room", label: "Living room", topics: ["home/living_room/temperature"], devices: [] },
    ]);
  });

  it("keeps its identity when only values change", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("31"));
    store.ingest("home/attic/fan/state", text("ON"));
    frame();
    const rooms = store.getRooms();
    const listener = counter((l) => store.subscribeRooms(l));
    store.ingest("home/attic/temperature", text("32"));
    store.ingest("home/attic/temperature", text("n/a"));
    store.ingest("home/attic/fan/state", text("OFF"));
    store.ingest("home/attic/fan/availability", text("offline"));
    frame();
    assert.equal(store.getRooms(), rooms);
    assert.equal(listener.calls, 0);
  });

  it("changes identity when a topic is added, and only the changed room's summary is new", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("31"));
    store.ingest("home/kitchen/temperature", text("22"));
    frame();
    const [attic, kitchen] = store.getRooms();
    store.ingest("home/attic/humidity", text("40"));
    frame();
    const rooms = store.getRooms();
    assert.notEqual(rooms[0], attic);
    assert.equal(rooms[1], kitchen);
  });
});

describe("live store: devices", () => {
  it("tracks state and availability per device", () => {
    const { store, frame } = setup();
    const listener = counter((l) => store.subscribeDevice(deviceKey("attic", "fan"), l));
    store.ingest("home/attic/fan/state", text("ON"));
    store.ingest("home/attic/fan/availability", text("online"));
    frame();
    assert.deepEqual(store.getDevice("attic/fan"), {
      key: "attic/fan",
      room: "attic",
      device: "fan",
      name: "Fan",
      icon: null,
      kind: "switch",
      source: "convention",
      state: "ON",
      availability: "online",
      expectsAvailability: false,
      command: { topic: "home/attic/fan/set", on: "ON", off: "OFF", timeoutMs: null, optimistic: false },
      deviceClass: null,
      knownSince: T0,
    });
    assert.equal(listener.calls, 1);
    store.ingest("home/attic/fan/availability", text("offline"));
    frame();
    assert.equal(store.getDevice("attic/fan")?.availability, "offline");
    assert.equal(store.getDevice("attic/fan")?.state, "ON");
    assert.equal(listener.calls, 2);
  });

  it("a repeated state (a retained message after a reconnect) changes nothing", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/fan/state", text("ON"));
    frame();
    const before = store.getDevice("attic/fan");
    const listener = counter((l) => store.subscribeDevice("attic/fan", l));
    store.ingest("home/attic/fan/state", text("ON"));
    frame();
    assert.equal(store.getDevice("attic/fan"), before);
    assert.equal(listener.calls, 0);
  });

  const ignored: Array<{ name: string; topic: string; payload: Uint8Array }> = [
    { name: "a command", topic: "home/attic/fan/set", payload: text("ON") },
    { name: "a topic outside home/", topic: "garden/shed/temperature", payload: text("12") },
    { name: "a broker statistic", topic: "$SYS/broker/uptime", payload: text("12") },
    { name: "a state longer than 64 bytes", topic: "home/attic/fan/state", payload: text("O".repeat(65)) },
    { name: "a state that is not UTF-8", topic: "home/attic/fan/state", payload: new Uint8Array([0xff]) },
    { name: "an empty state", topic: "home/attic/fan/state", payload: new Uint8Array(0) },
    { name: "an unknown availability", topic: "home/attic/fan/availability", payload: text("sleeping") },
  ];
  for (const c of ignored) {
    it(`ignores ${c.name}`, () => {
      const { store, frames, frame } = setup();
      store.ingest(c.topic, c.payload);
      frame();
      assert.equal(frames.length, 0);
      assert.deepEqual(store.getRooms(), []);
    });
  }
});

describe("live store: seed", () => {
  const reading = (value: number, ts: number): Reading => ({
    topic: "home/attic/temperature",
    room: "attic",
    measurement: "temperature",
    value,
    unit: "°C",
    ts,
  });

  it("applies at once, as the current reading and not as a live point", () => {
    const { store } = setup();
    store.seed([reading(30, T0 - 60_000)]);
    const snapshot = store.getTopic("home/attic/temperature");
    assert.equal(snapshot?.reading?.value, 30);
    assert.deepEqual(snapshot?.points, []);
    assert.equal(store.getRooms().length, 1);
  });

  it("does not replace a newer live reading", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/temperature", text("31"));
    frame();
    store.seed([reading(30, T0 - 60_000)]);
    assert.equal(store.getTopic("home/attic/temperature")?.reading?.value, 31);
  });
});

describe("live store: connection", () => {
  let store: LiveStore;
  let advance: (ms: number) => void;
  beforeEach(() => {
    ({ store, advance } = setup());
  });

  it("starts connecting, epoch 0", () => {
    assert.deepEqual(store.getConnection(), { status: "connecting", since: T0, attempt: 0, epoch: 0 });
  });

  it("counts every successful (re)connect in the epoch", () => {
    const listener = counter((l) => store.subscribeConnection(l));
    advance(100);
    store.setConnection("connected");
    assert.deepEqual(store.getConnection(), { status: "connected", since: T0 + 100, attempt: 0, epoch: 1 });
    advance(1000);
    store.setConnection("reconnecting", 1);
    advance(1000);
    store.setConnection("reconnecting", 2);
    assert.deepEqual(store.getConnection(), { status: "reconnecting", since: T0 + 1100, attempt: 2, epoch: 1 });
    store.setConnection("connected");
    assert.equal(store.getConnection().epoch, 2);
    assert.equal(listener.calls, 4);
  });

  it("an unchanged state notifies no one and keeps its identity", () => {
    store.setConnection("reconnecting", 3);
    const before = store.getConnection();
    const listener = counter((l) => store.subscribeConnection(l));
    store.setConnection("reconnecting", 3);
    assert.equal(store.getConnection(), before);
    assert.equal(listener.calls, 0);
  });
});

describe("live store: subscriptions", () => {
  it("an unsubscribed listener is not called", () => {
    const { store, frame } = setup();
    const listener = counter((l) => store.subscribeTopic("home/attic/temperature", l));
    listener.unsubscribe();
    store.ingest("home/attic/temperature", text("31"));
    frame();
    assert.equal(listener.calls, 0);
  });
});

describe("frameOrTimeout", () => {
  // Fake frames and timers: each fires only when the test says so.
  const pending = new Map<string, () => void>();
  let next = 0;
  const fire = (kind: "frame" | "timer") => {
    for (const [id, callback] of [...pending]) {
      if (!id.startsWith(kind)) continue;
      pending.delete(id);
      callback();
    }
  };
  const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  beforeEach(() => {
    globalThis.requestAnimationFrame = (callback) => {
      pending.set(`frame-${++next}`, () => callback(0));
      return next;
    };
    globalThis.cancelAnimationFrame = (id) => void pending.delete(`frame-${id}`);
    globalThis.setTimeout = ((callback: () => void) => {
      pending.set(`timer-${++next}`, callback);
      return next;
    }) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((id: number) => void pending.delete(`timer-${id}`)) as typeof clearTimeout;
  });
  afterEach(() => {
    Reflect.deleteProperty(globalThis, "requestAnimationFrame");
    Reflect.deleteProperty(globalThis, "cancelAnimationFrame");
    Object.assign(globalThis, real);
    pending.clear();
  });

  it("runs on the next frame, once", () => {
    let calls = 0;
    frameOrTimeout(() => calls++);
    fire("frame");
    fire("timer");
    assert.equal(calls, 1);
  });

  it("runs on the timeout when no frame comes (a hidden tab), once", () => {
    let calls = 0;
    frameOrTimeout(() => calls++);
    fire("timer");
    fire("frame");
    assert.equal(calls, 1);
  });

  it("a cancelled callback never runs", () => {
    let calls = 0;
    frameOrTimeout(() => calls++)();
    assert.equal(pending.size, 0);
    fire("frame");
    fire("timer");
    assert.equal(calls, 0);
  });
});

describe("live store: the page's scope (issue 13)", () => {
  it("a room page narrows the subscription to its room while mounted, and gives the whole home back after", () => {
    const { store } = setup();
    const changes = counter(store.subscribeSubscriptions);
    assert.deepEqual(store.getSubscriptions(), ["home/#"]);
    const release = store.watch(["home/kitchen/#"]);
    assert.deepEqual(store.getSubscriptions(), ["home/kitchen/#"]);
    release();
    assert.deepEqual(store.getSubscriptions(), ["home/#"]);
    assert.equal(changes.calls, 2);
    release(); // twice (React's strict mode) changes nothing
    assert.equal(changes.calls, 2);
  });

  it("two components watching the same room: the scope stays until both are gone", () => {
    const { store } = setup();
    const a = store.watch(["home/kitchen/#"]);
    const b = store.watch(["home/kitchen/#"]);
    a();
    assert.deepEqual(store.getSubscriptions(), ["home/kitchen/#"]);
    b();
    assert.deepEqual(store.getSubscriptions(), ["home/#"]);
  });

  it("a device of another room is still followed on a room page, by its own topics", () => {
    const { store, frame } = setup();
    store.ingest("home/attic/fan/state", text("ON"), { retained: true });
    frame();
    store.watch(["home/kitchen/#"]);
    assert.deepEqual(store.getSubscriptions(), ["home/attic/fan/availability", "home/attic/fan/state", "home/kitchen/#"]);
  });
});
