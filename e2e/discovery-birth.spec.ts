// The hub's birth message (issue 5): devices that announce themselves when they hear
// `homeassistant/status` `online`, as Zigbee2MQTT does, reappear after the hub restarts
// (the embedded broker keeps retained messages in memory, so a restart forgets them).
import mqtt, { type MqttClient } from "mqtt";
import { expect, test, TestHub } from "./hub";

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

test("a Zigbee2MQTT plug's unretained state shows on a fresh page, and after a hub restart the plug still switches (review-10 F1, F15)", async ({ page }) => {
  const plugConfig = {
    name: null,
    command_topic: "zigbee2mqtt/Kitchen plug/set",
    state_topic: "zigbee2mqtt/Kitchen plug",
    value_template: "{{ value_json.state }}",
    payload_on: "ON",
    payload_off: "OFF",
    device: { identifiers: ["zigbee2mqtt_0x0017880104e45517"], name: "Kitchen plug", suggested_area: "Kitchen" },
    unique_id: "0x0017880104e45517_switch_zigbee2mqtt",
  };
  const commands: string[] = [];
  // Like Zigbee2MQTT: the config retained once, states not retained, and nothing announced again on reconnect
  // (at its own start it skips every config whose retained copy is unchanged).
  const plug = await mqtt.connectAsync(hub.mqttUrl, { clientId: "e2e-z2m-plug", reconnectPeriod: 500, resubscribe: false });
  let subscriptions = 0;
  const subscribe = () => void plug.subscribeAsync("zigbee2mqtt/Kitchen plug/set", { qos: 1 }).then(() => subscriptions++);
  plug.on("connect", subscribe);
  subscribe();
  plug.on("message", (topic, payload) => {
    if (topic === "zigbee2mqtt/Kitchen plug/set") commands.push(payload.toString());
  });
  try {
    await plug.publishAsync("homeassistant/switch/0x0017880104e45517/switch/config", JSON.stringify(plugConfig), { qos: 1, retain: true });
    await plug.publishAsync("zigbee2mqtt/Kitchen plug", JSON.stringify({ state: "ON", power: 12, linkquality: 90 }), { qos: 1 });

    // Opened after the state was sent: the broker holds no copy of it; the hub remembered it.
    await hub.open(page);
    const toggle = page.locator('li[data-device="ha:switch/0x0017880104e45517/switch"]').getByTestId("toggle");
    await expect(toggle).toHaveAttribute("data-state", "on");

    await hub.stop();
    await hub.start();
    await expect.poll(() => subscriptions).toBe(2);
    await hub.open(page);
    // The hub knows the plug from its retained config alone: an admin's command passes the ACL.
    await expect(toggle).toBeEnabled();
    await toggle.click();
    await expect.poll(() => commands).toEqual(["ON"]);
    expect(hub.output).not.toContain('code="publish-denied"');
  } finally {
    await plug.endAsync();
  }
});
