// The contract every AlertStore passes (issue 14: one suite per store, run against
// SQLite and PostgreSQL). `storage()` makes a new, empty place to keep alerts and
// returns how to open a store on it; opening it twice is a restart.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { Rule } from "./rule";
import { initialState, type AlertState } from "./state-machine";
import type { AlertStore, NewHistoryEntry } from "./store";

export type OpenAlertStore = () => Promise<AlertStore>;

const T0 = Date.UTC(2026, 0, 1);

const rule = (id: string, threshold = 26): Rule => ({
  id,
  name: `Rule ${id}`,
  severity: "warning",
  enabled: true,
  filter: "home/+/temperature",
  notifyIntervalSeconds: 300,
  kind: "threshold",
  direction: "above",
  threshold,
  clear: threshold - 1,
  forSeconds: 0,
} as Rule);

const firing = (value: number): AlertState => ({ ...initialState(T0), status: "firing", value, firedAt: T0, reason: "threshold" });

const event = (ruleId: string, topic: string, at: number, extra: Partial<NewHistoryEntry> = {}): NewHistoryEntry => ({
  ruleId,
  ruleName: `Rule ${ruleId}`,
  severity: "warning",
  topic,
  kind: "fired",
  at,
  value: 27,
  reason: "threshold",
  notified: true,
  ...extra,
});

/** Some stores write behind; closing is where they must finish. */
const closeStore = async (store: AlertStore) => {
  await store.close();
};

export function alertStoreContract(name: string, storage: () => Promise<OpenAlertStore>): void {
  describe(`AlertStore contract: ${name}`, () => {
    const open: AlertStore[] = [];
    afterEach(async () => {
      while (open.length > 0) await closeStore(open.pop()!);
    });
    const fresh = async () => {
      const openStore = await storage();
      const store = await openStore();
      open.push(store);
      return { store, openStore };
    };
    /** Closes the store and opens it again: what a restart sees. */
    const restart = async (store: AlertStore, openStore: OpenAlertStore) => {
      open.splice(open.indexOf(store), 1);
      await closeStore(store);
      const again = await openStore();
      open.push(again);
      return again;
    };

    it("stores rules by id, replacing one put again, and lists them sorted by id", async () => {
      const { store } = await fresh();
      store.putRule(rule("kitchen-hot"));
      store.putRule(rule("attic-hot"));
      store.putRule(rule("kitchen-hot", 30));
      assert.deepEqual(store.listRules(), [rule("attic-hot"), rule("kitchen-hot", 30)]);
    });

    it("seeds a rule only when its id is new, never over an edited one", async () => {
      const { store } = await fresh();
      assert.equal(store.insertRuleIfAbsent(rule("attic-hot")), true);
      store.putRule(rule("attic-hot", 31));
      assert.equal(store.insertRuleIfAbsent(rule("attic-hot")), false);
      assert.deepEqual(store.listRules(), [rule("attic-hot", 31)]);
    });

    it("keeps one state per rule and topic; deleting a rule takes its states but keeps its history", async () => {
      const { store } = await fresh();
      store.putRule(rule("attic-hot"));
      store.putRule(rule("cellar-cold"));
      store.putAlert({ ruleId: "attic-hot", topic: "home/attic/temperature", state: firing(27) });
      store.putAlert({ ruleId: "attic-hot", topic: "home/attic/temperature", state: firing(28) });
      store.putAlert({ ruleId: "cellar-cold", topic: "home/cellar/temperature", state: firing(4) });
      store.appendHistory([event("attic-hot", "home/attic/temperature", T0)]);
      assert.deepEqual(
        store.listAlerts().sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
        [
          { ruleId: "attic-hot", topic: "home/attic/temperature", state: firing(28) },
          { ruleId: "cellar-cold", topic: "home/cellar/temperature", state: firing(4) },
        ],
      );
      store.deleteRule("attic-hot");
      assert.deepEqual(store.listRules().map((r) => r.id), ["cellar-cold"]);
      assert.deepEqual(store.listAlerts().map((a) => a.ruleId), ["cellar-cold"]);
      assert.equal(store.history({ limit: 10, ruleId: "attic-hot" }).length, 1);
      store.deleteAlerts("cellar-cold");
      assert.deepEqual(store.listAlerts(), []);
    });

    it("answers history newest first, by rule, by topic and up to the limit, as it was written", async () => {
      const { store } = await fresh();
      store.appendHistory([
        event("attic-hot", "home/attic/temperature", T0),
        event("attic-hot", "home/attic/temperature", T0 + 1000, { kind: "resolved", value: 24, notified: null }),
      ]);
      store.appendHistory([event("hall-silent", "home/hall/temperature", T0 + 2000, { kind: "fired", value: null, reason: "silent", notified: false })]);
      const all = store.history({ limit: 10 });
      assert.deepEqual(all.map((e) => e.at), [T0 + 2000, T0 + 1000, T0]);
      assert.ok(all[0].id > all[1].id && all[1].id > all[2].id, "ids grow with time");
      const { id: _, ...newest } = all[0];
      assert.deepEqual(newest, event("hall-silent", "home/hall/temperature", T0 + 2000, { value: null, reason: "silent", notified: false }));
      assert.deepEqual(store.history({ limit: 10, ruleId: "attic-hot" }).map((e) => [e.kind, e.value, e.notified]), [
        ["resolved", 24, null],
        ["fired", 27, true],
      ]);
      assert.deepEqual(store.history({ limit: 10, topic: "home/hall/temperature" }).map((e) => e.ruleId), ["hall-silent"]);
      assert.deepEqual(store.history({ limit: 1 }).map((e) => e.at), [T0 + 2000]);
    });

    it("keeps the newest 10,000 events", async () => {
      const { store } = await fresh();
      store.appendHistory(Array.from({ length: 10_003 }, (_, i) => event("attic-hot", "home/attic/temperature", T0 + i)));
      const kept = store.history({ limit: 20_000 });
      assert.equal(kept.length, 10_000);
      assert.deepEqual([kept[0].at, kept.at(-1)!.at], [T0 + 10_002, T0 + 3]);
    });

    it("gives back rules, states and history after a restart", async () => {
      const { store, openStore } = await fresh();
      store.putRule(rule("attic-hot"));
      store.insertRuleIfAbsent(rule("cellar-cold"));
      store.putRule(rule("gone"));
      store.deleteRule("gone");
      store.putAlert({ ruleId: "attic-hot", topic: "home/attic/temperature", state: firing(27) });
      store.appendHistory([event("attic-hot", "home/attic/temperature", T0)]);
      const again = await restart(store, openStore);
      assert.deepEqual(again.listRules(), [rule("attic-hot"), rule("cellar-cold")]);
      assert.deepEqual(again.listAlerts(), [{ ruleId: "attic-hot", topic: "home/attic/temperature", state: firing(27) }]);
      assert.deepEqual(again.history({ limit: 5 }).map((e) => [e.ruleId, e.at]), [["attic-hot", T0]]);
      // New events after a restart still come out newest first.
      again.appendHistory([event("attic-hot", "home/attic/temperature", T0 + 5000, { kind: "resolved" })]);
      assert.deepEqual(again.history({ limit: 5 }).map((e) => e.at), [T0 + 5000, T0]);
    });
  });
}
