// For the live store's tests: a store whose frames run when a test says, and a way to
// deliver MQTT messages to it as the page's client would.
import { createLiveStore } from "./live-store";

export const HARNESS_T0 = 1_700_000_000_000;

export function liveStoreHarness() {
  const frames: Array<() => void> = [];
  const store = createLiveStore({
    schedule: (callback) => {
      frames.push(callback);
      return () => frames.splice(frames.indexOf(callback) >>> 0, 1);
    },
    now: () => HARNESS_T0,
  });
  const flush = () => {
    for (const callback of frames.splice(0)) callback();
  };
  /** Ingests the messages, then runs the next frame. */
  const deliver = (...messages: Array<[topic: string, payload: string | object, retained?: boolean]>) => {
    for (const [topic, payload, retained] of messages) {
      store.ingest(topic, new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload)), { retained });
    }
    flush();
  };
  return { store, deliver, flush };
}
