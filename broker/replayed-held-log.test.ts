// Upstream mode sends every retained topic again at each start; a copy whose topic history
// already holds is skipped (replayed-reading.ts). That is the normal case, so the recorder
// says it in one line with a count per replay window, not a line per topic (review-9 F4).
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { Fields, Logger } from "../lib/log";
import type { Bus } from "./bus";
import { createBusHandlers } from "./bus-handlers";
import { startRecorder } from "./recorder";
import { REPLAY_WINDOW_MS } from "./replayed-reading";

const T0 = Date.UTC(2026, 0, 1);
const ROOMS = Array.from({ length: 150 }, (_, i) => `home/room-${i}/temperature`);

test("150 retained copies held on a start: one info line at once, then one with the count at the window's end (review-9 F4)", async () => {
  const infos: Fields[] = [];
  const log: Logger = { debug() {}, info: (_message, fields = {}) => void infos.push(fields), warn() {}, error() {} };
  // The upstream bus's dispatch (bus-handlers.ts); `replayed` is what its replay window says of a copy.
  const handlers = createBusHandlers(log, () => T0);
  const bus: Bus = { subscribe: async (filter, handler) => handlers.add(filter, handler), publish: async () => {} };
  const history = openSqliteHistory(":memory:");
  const recorder = await startRecorder(bus, history, { log });
  const deliver = (topic: string, replayed: boolean) => handlers.dispatch({ topic, payload: Buffer.from("21.5"), retain: true, qos: 1, replayed });
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    // Recorded on an earlier start.
    await Promise.all(ROOMS.map((topic) => deliver(topic, false)));
    // This start: the broker sends each retained copy again.
    await Promise.all(ROOMS.map((topic) => deliver(topic, true)));
    const held = () => infos.filter((f) => f.code === "replayed-reading-held");
    assert.deepEqual(held(), [{ code: "replayed-reading-held", copies: 1, topic: ROOMS[0] }], "the first at once");
    mock.timers.tick(REPLAY_WINDOW_MS);
    assert.deepEqual(held().at(-1), { code: "replayed-reading-held", copies: 149, topic: ROOMS[149] }, "the rest as one count");
    assert.equal(held().length, 2);
    assert.equal(recorder.stats().recorded, 150, "no copy recorded twice");
  } finally {
    mock.timers.reset();
    await recorder.stop();
    await history.close();
  }
});
