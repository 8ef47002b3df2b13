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
