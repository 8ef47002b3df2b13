// The hub's birth message (issue 5): devices that announce themselves when they hear
// `homeassistant/status` `online`, as Zigbee2MQTT does, reappear after the hub restarts
// (the embedded broker keeps retained messages in memory, so a restart forgets them).
import { expect, test } from "@playwright/test";
import mqtt, { type MqttClient } from "mqtt";
import { TestHub } from "./hub";

let hub: TestHub;
let bridge: MqttClient;

test.beforeAll(async () => {
  hub = await TestHub.start();
});
test.afterAll(async () => {
  await bridge?.endAsync();
  await hub?.dispose();
});

test("a device that announces on the birth message reappears after a hub restart", async ({ page }) => {
  const config = {
    name: "Cellar humidity",
    stat_t: "bridge/cellar",
    val_tpl: "{{ value_json.humidity }}",
    unit_of_meas: "%",
    dev: { name: "Cellar sensor", ids: "cellar1", sa: "Cellar" },
  };
  let announcements = 0;
  // Like Zigbee2MQTT: subscribe to the birth topic, and (re)announce with retained messages on "online".
  bridge = await mqtt.connectAsync(hub.mqttUrl, { clientId: "e2e-bridge", reconnectPeriod: 500 });
  bridge.on("message", (topic, payload) => {
    if (topic !== "homeassistant/status" || payload.toString() !== "online") return;
    announcements++;
    bridge.publish("homeassistant/sensor/cellar1/humidity/config", JSON.stringify(config), { qos: 1, retain: true });
    bridge.publish("bridge/cellar", JSON.stringify({ humidity: 71 }), { qos: 1, retain: true });
  });
  await bridge.subscribeAsync("homeassistant/status", { qos: 1 });

  await hub.open(page);
  const row = page.getByTestId("room-cellar").locator('li[data-topic="ha:sensor/cellar1/humidity"]');
  await expect(row).toContainText("Cellar sensor Cellar humidity");
  await expect(row).toContainText("71");
  expect(announcements).toBe(1);

  await hub.stop();
  await hub.start();
  // The new hub's retained birth message reaches the bridge when it resubscribes, and it announces again.
  await expect.poll(() => announcements, { timeout: 15_000 }).toBe(2);
  await hub.open(page);
  await expect(row).toContainText("Cellar sensor Cellar humidity");
  await expect(row).toContainText("71");
  await expect(row).toContainText("%");
});
