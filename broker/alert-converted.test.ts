// An alert judges the number the person sees: on a topic a discovered sensor converts
// (`home/garage/power` "1500" W, `{{ value | float / 1000 }}` in kW), the rule reads the
// converted reading the chart and history show, the registry's, not the raw payload.
// The recorder, the device registry and the alert engine wired as broker/hub.ts wires them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { ruleInputSchema, type Rule } from "../lib/alerts/rule";
import { openSqliteAlertStore } from "../lib/alerts/sqlite-alert-store";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { Logger } from "../lib/log";
import { startAlertEngine } from "./alert-engine";
import { ALERT_RULE_CONVERTED, ALERT_RULE_NO_READING, watchRuleMeanings } from "./alert-rule-meaning";
import { startRecording } from "./recording";
import { startBusBroker } from "./test-bus-broker";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const all = { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 10 };

function rule(input: Record<string, unknown>): Rule {
  return { ...ruleInputSchema.parse({ severity: "warning", ...input }), id: "garage-power" };
}

describe("an alert on a converting sensor's topic", { timeout: 10_000 }, () => {
  it("judges the converted reading history keeps and the chart shows, in the sensor's unit", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hearth-alert-converted-"));
    const broker = await startBusBroker({ now: () => 1_700_000_000_000 });
    const history = openSqliteHistory(":memory:");
    const alertStore = openSqliteAlertStore(path.join(dir, "alerts.sqlite"), quiet);
    const { recorder, devices } = await startRecording(broker.bus, history, { recorder: { log: quiet }, devices: { config: [], log: quiet, summaryAfterMs: 0 } });
    const high = rule({ name: "Garage power high", kind: "threshold", filter: "home/+/power", direction: "above", threshold: 2, clear: 1.8 });
    const engine = await startAlertEngine(broker.bus, alertStore, { log: quiet, seedRules: [high], readingOf: devices.readingOf });
    try {
      await broker.bus.publish("homeassistant/sensor/garage/power/config", JSON.stringify({ stat_t: "home/garage/power", unit_of_meas: "kW", val_tpl: "{{ value | float / 1000 }}" }));
      // 1500 W is 1.5 kW: under 2 kW, though 1500 is over 2.
      await broker.bus.publish("home/garage/power", "1500");
      assert.deepEqual(engine.alerts(), []);
      assert.deepEqual(engine.testRule(high).topics, [{ topic: "home/garage/power", value: 1.5, status: "ok" }]);

      await broker.bus.publish("home/garage/power", "2500");
      const [alert] = engine.alerts();
      assert.equal(alert?.status, "firing");
      assert.equal(alert?.value, 2.5);
      assert.deepEqual((await history.readRaw({ topic: "home/garage/power", ...all })).map((r) => r.v), [1.5, 2.5], "the same numbers as the chart");
    } finally {
      await engine.stop();
      alertStore.close();
      await devices.stop();
      await recorder.stop();
      await history.close();
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a threshold rule whose meaning the converted readings change (review-17 F4)", { timeout: 10_000 }, () => {
  it("is said once in the log, with the topic and the unit judged, at start and when a device's routes change", async () => {
    const broker = await startBusBroker({ now: () => 1_700_000_000_000 });
    const history = openSqliteHistory(":memory:");
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = { ...quiet, warn: (message, fields) => void logged.push({ message, fields }) };
    const config = (room: string) => JSON.stringify({ stat_t: `home/${room}/power`, unit_of_meas: "kW", val_tpl: "{{ value | float / 1000 }}" });
    // Discovered before the hub started: the retained config is restored with the registry.
    await broker.bus.publish("homeassistant/sensor/garage/power/config", config("garage"), { retain: true });
    const { recorder, devices } = await startRecording(broker.bus, history, { recorder: { log: quiet }, devices: { config: [], log: quiet, summaryAfterMs: 0 } });
    const high = rule({ name: "Power high", kind: "threshold", filter: "home/+/power", direction: "above", threshold: 2000, clear: 1800 });
    const remote = { ...rule({ name: "Remote pressed", kind: "threshold", filter: "home/+/433toMQTT", direction: "above", threshold: 0, clear: -1 }), id: "remote" };
    const plain = { ...rule({ name: "Hot", kind: "threshold", filter: "home/+/temperature", direction: "above", threshold: 30, clear: 28 }), id: "hot" };
    const rules = [high, remote, plain];
    const said = () => logged.map((l) => [l.fields?.code, l.fields?.rule, l.fields?.topic ?? l.fields?.filter, l.fields?.unit]);
    try {
      watchRuleMeanings({ rules: () => rules, devices, log });
      assert.deepEqual(said(), [
        [ALERT_RULE_CONVERTED, "garage-power", "home/garage/power", "kW"],
        [ALERT_RULE_NO_READING, "remote", "home/+/433toMQTT", undefined],
      ]);
      assert.match(String(logged[0].fields?.meaning), /compared with the converted value in kW/);
      logged.length = 0;
      // A second converting sensor is discovered: said when its routes are next used (its first reading).
      await broker.bus.publish("homeassistant/sensor/cellar/power/config", config("cellar"));
      await broker.bus.publish("home/cellar/power", "1500");
      assert.deepEqual(said(), [[ALERT_RULE_CONVERTED, "garage-power", "home/cellar/power", "kW"]]);
      // The same configs again (Home Assistant's birth, a restart of the device): nothing new to say.
      await broker.bus.publish("homeassistant/sensor/cellar/power/config", config("cellar"));
      await broker.bus.publish("homeassistant/sensor/garage/power/config", config("garage"));
      await broker.bus.publish("home/garage/power", "1500");
      assert.equal(logged.length, 1);
    } finally {
      await devices.stop();
      await recorder.stop();
      await history.close();
      await broker.close();
    }
  });
});
