import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLiveAlertStore } from "./alert-store";
import { alertTopic } from "./alerts/topic-key";
import type { AlertView } from "./alerts/view";

const T0 = Date.UTC(2026, 0, 1);
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function view(overrides: Partial<AlertView>): AlertView {
  return {
    ruleId: "hot", ruleName: "Hot", severity: "warning", kind: "threshold", topic: "home/nursery/temperature",
    status: "firing", since: T0, value: 27, reason: "threshold", firedAt: T0, acknowledgedAt: null,
    snoozedUntil: null, notifiedAt: T0, attention: true, ...overrides,
  };
}

/** A store that flushes only when told, and a way to publish a view on its own topic. */
function setup() {
  const store = createLiveAlertStore({ schedule: () => () => {} });
  const put = (v: AlertView, retained = false) => store.ingest(alertTopic(v.ruleId, v.topic), bytes(v), { retained });
  return { store, put };
}

describe("alert store", () => {
  it("lists alerts worst first, and only firing, unacknowledged, unsnoozed ones ask for attention", () => {
    const { store, put } = setup();
    put(view({ ruleId: "info", severity: "info" }));
    put(view({ ruleId: "crit", severity: "critical" }));
    put(view({ ruleId: "acked", severity: "critical", acknowledgedAt: T0, attention: false }));
    put(view({ ruleId: "gone", status: "ok", attention: false }));
    store.flush();
    assert.deepEqual(store.getAlerts().map((a) => a.ruleId), ["acked", "crit", "info"]);
    assert.deepEqual(store.getAttention().map((a) => a.ruleId), ["crit", "info"]);
  });

  it("gives each topic the worst severity firing on it, and tells only that topic's listeners", () => {
    const { store, put } = setup();
    let nursery = 0;
    let attic = 0;
    store.subscribeTopic("home/nursery/temperature", () => nursery++);
    store.subscribeTopic("home/attic/temperature", () => attic++);
    put(view({ ruleId: "a", severity: "info" }));
    put(view({ ruleId: "b", severity: "critical" }));
    put(view({ ruleId: "c", topic: "home/attic/temperature", status: "pending", attention: false }));
    store.flush();
    assert.equal(store.getTopicSeverity("home/nursery/temperature"), "critical");
    assert.equal(store.getTopicSeverity("home/attic/temperature"), null, "pending is not firing");
    assert.deepEqual([nursery, attic], [1, 0]);

    store.ingest(alertTopic("b", "home/nursery/temperature"), new Uint8Array());
    store.flush();
    assert.equal(store.getTopicSeverity("home/nursery/temperature"), "info", "a cleared retained state removes the alert");
    assert.deepEqual([nursery, attic], [2, 0]);
  });

  it("ignores states that do not parse or do not match their topic", () => {
    const { store } = setup();
    const warn = console.warn;
    console.warn = () => {};
    try {
      store.ingest(alertTopic("hot", "home/x/y"), new TextEncoder().encode("{nope"));
      store.ingest(alertTopic("hot", "home/x/y"), bytes(view({})));
      store.ingest(alertTopic("hot", "home/nursery/temperature"), bytes({ ...view({}), severity: "apocalyptic" }));
    } finally {
      console.warn = warn;
    }
    store.flush();
    assert.deepEqual(store.getAlerts(), []);
  });

  it("notifies a live firing once, and never for retained states from before the page opened", () => {
    const { store, put } = setup();
    const notified: string[] = [];
    store.onNotify((a) => notified.push(a.ruleId));
    put(view({ ruleId: "old" }), true);
    put(view({ ruleId: "new" }));
    store.flush();
    put(view({ ruleId: "new", acknowledgedAt: T0 + 1, attention: false }));
    put(view({ ruleId: "quiet", notifiedAt: null }));
    store.flush();
    assert.deepEqual(notified, ["new"]);
  });

  it("replaces its alerts with the hub's snapshot after a reconnect, keeping what arrived live meanwhile", () => {
    const { store, put } = setup();
    put(view({ ruleId: "deleted-meanwhile" }));
    put(view({ ruleId: "kept", severity: "critical" }));
    store.flush();
    const since = store.generation();
    put(view({ ruleId: "live", acknowledgedAt: T0 + 5, attention: false }));
    store.replace([view({ ruleId: "kept", severity: "critical" }), view({ ruleId: "live" }), view({ ruleId: "missed" })], since);
    assert.deepEqual(
      store.getAlerts().map((a) => [a.ruleId, a.attention]),
      [["kept", true], ["live", false], ["missed", true]],
    );
  });
});
