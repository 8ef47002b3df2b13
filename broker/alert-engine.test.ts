// The alert engine against Hearth's broker (through the in-process Bus) and a
// real SQLite file; time is a fake clock the test advances, so holds and silences
// need no sleeps.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, it } from "node:test";
import { ruleInputSchema, type Rule } from "../lib/alerts/rule";
import { openSqliteAlertStore } from "../lib/alerts/sqlite-alert-store";
import type { AlertStore } from "../lib/alerts/store";
import { alertTopic } from "../lib/alerts/topic-key";
import type { Logger } from "../lib/log";
import type { BusMessage } from "./bus";
import { startAlertEngine, type AlertEngine, type Clock } from "./alert-engine";
import { startBusBroker } from "./test-bus-broker";

const T0 = Date.UTC(2026, 0, 1);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function fakeClock(start: number) {
  let now = start;
  let next = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    setTimeout(callback, ms) {
      timers.set(next, { at: now + ms, callback });
      return next++;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    /** Moves time on, running each timer that comes due, in order, at its own time. */
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
    },
  };
  return clock;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function rule(input: Record<string, unknown>): Rule {
  const parsed = ruleInputSchema.parse({ severity: "critical", name: "Nursery too hot", ...input });
  return { ...parsed, id: parsed.id ?? "nursery-hot" };
}

const hot = rule({ kind: "threshold", filter: "home/+/temperature", direction: "above", threshold: 26, clear: 25 });

async function setup(options: { seedRules?: Rule[]; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), "hearth-alerts-"));
  if (!options.dir) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const { bus, close } = await startBusBroker({ log: quiet });
  cleanups.push(close);
  const published: BusMessage[] = [];
  await bus.subscribe("hearth/alerts/#", (m) => {
    published.push(m);
  });
  const store = openSqliteAlertStore(path.join(dir, "alerts.sqlite"), quiet);
  const clock = fakeClock(T0);
  const engine = await startAlertEngine(bus, store, { clock, log: quiet, seedRules: options.seedRules ?? [hot] });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await engine.stop();
    store.close();
  };
  cleanups.push(stop);
  const send = (topic: string, payload: string) => bus.publish(topic, payload, { qos: 1 });
  /** The last state published for (rule, topic), parsed; "" when it was cleared. */
  const lastPublished = async (ruleId: string, topic: string) => {
    await engine.published();
    const m = published.filter((p) => p.topic === alertTopic(ruleId, topic)).at(-1);
    return m === undefined ? undefined : m.payload.length === 0 ? "" : JSON.parse(m.payload.toString());
  };
  return { dir, bus, store, clock, engine, stop, send, published, lastPublished };
}

const kinds = (engine: AlertEngine) => engine.history({ limit: 100 }).map((e) => `${e.kind} ${e.topic}`).reverse();

describe("alert engine", () => {
  it("fires on a reading past the threshold, publishes it retained, and resolves past the clear threshold", async () => {
    const { engine, send, lastPublished, published } = await setup();
    await send("home/nursery/temperature", "25.5");
    assert.deepEqual(engine.alerts(), []);
    await send("home/nursery/temperature", '{"value":26.4}');
    const [alert] = engine.alerts();
    assert.equal(alert.status, "firing");
    assert.equal(alert.attention, true);
    assert.equal(alert.value, 26.4);
    await engine.published();
    const retained = published.at(-1)!;
    assert.equal(retained.retain, true);
    assert.equal(retained.topic, "hearth/alerts/nursery-hot/home%2Fnursery%2Ftemperature");
    assert.equal((await lastPublished("nursery-hot", "home/nursery/temperature")).status, "firing");

    // Wobbling inside the band changes nothing anyone sees.
    await engine.published();
    const count = published.length;
    for (const v of ["25.2", "26.8", "25.01", "27"]) await send("home/nursery/temperature", v);
    await engine.published();
    assert.equal(published.length, count);

    await send("home/nursery/temperature", "24.9");
    assert.equal((await lastPublished("nursery-hot", "home/nursery/temperature")).status, "resolved");
    assert.deepEqual(kinds(engine), ["fired home/nursery/temperature", "resolved home/nursery/temperature"]);
  });

  it("tracks each topic a wildcard matches on its own, and rate-limits the rule's notifications", async () => {
    const { engine, send } = await setup();
    await send("home/nursery/temperature", "27");
    await send("home/attic/temperature", "31");
    await send("home/attic/humidity", "99");
    const alerts = engine.alerts();
    assert.deepEqual(alerts.map((a) => a.topic).sort(), ["home/attic/temperature", "home/nursery/temperature"]);
    const fired = engine.history({ limit: 10 }).filter((e) => e.kind === "fired");
    assert.deepEqual(fired.map((e) => [e.topic, e.notified]).reverse(), [
      ["home/nursery/temperature", true],
      ["home/attic/temperature", false],
    ]);
  });

  it("fires a held condition from its own timer, with no further reading", async () => {
    const held = rule({ id: "held", kind: "threshold", filter: "home/nursery/temperature", direction: "above", threshold: 26, clear: 25, forSeconds: 300 });
    const { engine, send, clock } = await setup({ seedRules: [held] });
    await send("home/nursery/temperature", "27");
    assert.equal(engine.alerts()[0].status, "pending");
    clock.advance(299_000);
    assert.equal(engine.alerts()[0].status, "pending");
    clock.advance(1_000);
    assert.equal(engine.alerts()[0].status, "firing");
  });

  it("fires a silence rule when a topic goes quiet or its device goes offline", async () => {
    const silent = rule({ id: "quiet", kind: "silence", filter: "home/cellar/#", silentForSeconds: 600, severity: "warning" });
    const { engine, send, clock } = await setup({ seedRules: [silent] });
    await send("home/cellar/humidity", "60");
    await send("home/cellar/pump/availability", "online");
    clock.advance(600_000);
    assert.deepEqual(engine.alerts().map((a) => [a.topic, a.reason]), [["home/cellar/humidity", "silent"]]);
    await send("home/cellar/pump/availability", "offline");
    assert.deepEqual(engine.alerts().filter((a) => a.status === "firing").map((a) => a.topic).sort(), [
      "home/cellar/humidity",
      "home/cellar/pump/availability",
    ]);
    await send("home/cellar/humidity", "61");
    await send("home/cellar/pump/availability", "online");
    assert.deepEqual(engine.alerts().map((a) => a.status), ["resolved", "resolved"]);
  });

  it("acknowledges and snoozes, with stable error codes for what cannot be", async () => {
    const { engine, send, clock } = await setup();
    await send("home/nursery/temperature", "27");
    const acked = await engine.acknowledge("nursery-hot", "home/nursery/temperature");
    assert.ok(acked.ok && acked.value.acknowledgedAt === T0 && !acked.value.attention && acked.value.status === "firing");
    const again = await engine.acknowledge("nursery-hot", "home/nursery/temperature");
    assert.ok(!again.ok && again.code === "not-firing");
    const missing = await engine.acknowledge("nursery-hot", "home/attic/temperature");
    assert.ok(!missing.ok && missing.code === "alert-not-found");
    const past = await engine.snooze("nursery-hot", "home/nursery/temperature", T0 - 1);
    assert.ok(!past.ok && past.code === "bad-snooze");

    await send("home/nursery/temperature", "24");
    await send("home/nursery/temperature", "27");
    assert.equal(engine.alerts()[0].attention, true, "a new firing asks again");
    const snoozed = await engine.snooze("nursery-hot", "home/nursery/temperature", T0 + 3_600_000);
    assert.ok(snoozed.ok && !snoozed.value.attention);
    clock.advance(3_600_000);
    assert.equal(engine.alerts()[0].attention, true, "the snooze ran out");
    assert.deepEqual(
      engine.history({ limit: 10 }).map((e) => e.kind).reverse(),
      ["fired", "acknowledged", "resolved", "fired", "snoozed", "snooze-ended"],
    );
  });

  it("keeps rules and alert states across a restart, and publishes them again", async () => {
    const first = await setup();
    await first.send("home/nursery/temperature", "27");
    await first.engine.acknowledge("nursery-hot", "home/nursery/temperature");
    await first.stop();

    const second = await setup({ dir: first.dir });
    const [alert] = second.engine.alerts();
    assert.equal(alert.status, "firing");
    assert.notEqual(alert.acknowledgedAt, null);
    assert.equal((await second.lastPublished("nursery-hot", "home/nursery/temperature")).status, "firing");
    await second.send("home/nursery/temperature", "24");
    assert.equal(second.engine.alerts()[0].status, "resolved");
  });

  it("a firing, acknowledged silence alert stays so across a restart while the broker still holds its topic's retained state (review-11 F1)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hearth-alerts-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { bus, close } = await startBusBroker({ log: quiet });
    cleanups.push(close);
    const silent = rule({ id: "quiet", kind: "silence", filter: "home/cellar/#", silentForSeconds: 600, severity: "warning" });
    const clock = fakeClock(T0);
    const start = async () => {
      const store = openSqliteAlertStore(path.join(dir, "alerts.sqlite"), quiet);
      const engine = await startAlertEngine(bus, store, { clock, log: quiet, seedRules: [silent] });
      return { engine, stop: async () => (await engine.stop(), store.close()) };
    };
    const first = await start();
    await bus.publish("home/cellar/pump/state", "ON", { qos: 1, retain: true });
    clock.advance(601_000);
    assert.ok((await first.engine.acknowledge("quiet", "home/cellar/pump/state")).ok);
    await first.stop();
    // The hub's services start again on a broker that kept the retained state (as after a restart).
    const second = await start();
    cleanups.push(second.stop);
    const [alert] = second.engine.alerts();
    assert.deepEqual([alert.status, alert.acknowledgedAt !== null], ["firing", true]);
    assert.deepEqual(kinds(second.engine), ["fired home/cellar/pump/state", "acknowledged home/cellar/pump/state"]);
  });

  it("seeds config rules only when new, and creates, tests, edits and deletes rules", async () => {
    const first = await setup();
    const edited = await first.engine.updateRule("nursery-hot", ruleInputSchema.parse({ ...hot, threshold: 30, clear: 28 }));
    assert.ok(edited.ok);
    await first.stop();
    const { engine, send, lastPublished } = await setup({ dir: first.dir });
    assert.equal((engine.rules()[0] as Extract<Rule, { kind: "threshold" }>).threshold, 30, "the admin's edit wins over the seed");

    await send("home/attic/temperature", "19");
    const input = ruleInputSchema.parse({ name: "Attic cold", severity: "info", kind: "threshold", filter: "home/attic/#", direction: "below", threshold: 20, clear: 21 });
    assert.deepEqual(engine.testRule(input).topics, [{ topic: "home/attic/temperature", value: 19, status: "firing" }]);
    const created = await engine.createRule(input);
    assert.ok(created.ok && created.value.id === "attic-cold");
    assert.equal((await lastPublished("attic-cold", "home/attic/temperature")).status, "firing", "fires on what the topic last said");
    const taken = await engine.createRule({ ...input, id: "attic-cold" });
    assert.ok(!taken.ok && taken.code === "rule-id-taken");

    const deleted = await engine.deleteRule("attic-cold");
    assert.ok(deleted.ok);
    assert.equal(await lastPublished("attic-cold", "home/attic/temperature"), "", "its retained state is cleared");
    assert.deepEqual(engine.alerts(), []);
    assert.deepEqual(kinds(engine).slice(-2), ["fired home/attic/temperature", "resolved home/attic/temperature"]);
    const gone = await engine.deleteRule("attic-cold");
    assert.ok(!gone.ok && gone.code === "rule-not-found");
  });
});

describe("alert engine: switching a rule off", () => {
  it("ends its alerts, clears their retained states, and ignores readings until it is on again", async () => {
    const { engine, send, lastPublished } = await setup();
    await send("home/nursery/temperature", "27");
    const off = await engine.updateRule("nursery-hot", { ...hot, enabled: false });
    assert.ok(off.ok);
    assert.equal(await lastPublished("nursery-hot", "home/nursery/temperature"), "");
    await send("home/nursery/temperature", "28");
    assert.deepEqual(engine.alerts(), []);
    assert.deepEqual(kinds(engine), ["fired home/nursery/temperature", "resolved home/nursery/temperature"]);
    await engine.updateRule("nursery-hot", { ...hot, enabled: true });
    assert.equal((await lastPublished("nursery-hot", "home/nursery/temperature")).value, 28, "on again, it fires on the last reading");
  });
});

describe("alert engine: a failing store", () => {
  it("logs the failed write and still fires and publishes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hearth-alerts-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { bus, close } = await startBusBroker({ log: quiet });
    cleanups.push(close);
    const published: BusMessage[] = [];
    await bus.subscribe("hearth/alerts/#", (m) => {
      published.push(m);
    });
    const real = openSqliteAlertStore(path.join(dir, "alerts.sqlite"), quiet);
    const full = new Error("SQLITE_FULL: database or disk is full");
    const store: AlertStore = {
      ...real,
      putAlert: () => {
        throw full;
      },
      appendHistory: () => {
        throw full;
      },
    };
    const errors: string[] = [];
    const log: Logger = { ...quiet, error: (message, fields) => errors.push(`${message}: ${fields?.error}`) };
    const engine = await startAlertEngine(bus, store, { clock: fakeClock(T0), log, seedRules: [hot] });
    cleanups.push(async () => {
      await engine.stop();
      real.close();
    });
    await bus.publish("home/nursery/temperature", "27", { qos: 1 });
    await engine.published();
    assert.equal(engine.alerts()[0].status, "firing");
    assert.equal(JSON.parse(published.at(-1)!.payload.toString()).status, "firing");
    assert.deepEqual(errors, [
      "could not store an alert state: SQLITE_FULL: database or disk is full",
      "could not store alert history: SQLITE_FULL: database or disk is full",
    ]);
  });
});

describe("alert store", () => {
  it("skips a stored rule that no longer validates, and keeps history after a rule is deleted", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hearth-alert-store-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store: AlertStore = openSqliteAlertStore(path.join(dir, "alerts.sqlite"), quiet);
    cleanups.push(() => store.close());
    store.putRule(hot);
    store.putRule({ ...hot, id: "broken", clear: 99 } as Rule);
    assert.deepEqual(store.listRules().map((r) => r.id), ["nursery-hot"]);
    store.appendHistory([{ ruleId: "nursery-hot", ruleName: "N", severity: "info", topic: "t", kind: "fired", at: T0, value: 1, reason: "threshold", notified: true }]);
    store.deleteRule("nursery-hot");
    assert.equal(store.history({ limit: 5, ruleId: "nursery-hot" }).length, 1);
  });
});

