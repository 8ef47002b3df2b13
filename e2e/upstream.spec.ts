// Issue 14 in a real browser: Hearth attached to a Mosquitto 2 with a password file
// (HEARTH_MQTT_URL). The dashboard's /mqtt stays on Hearth and is relayed: a reading
// published to Mosquitto shows live, a toggle reaches the device on Mosquitto, the
// device-accounts page names the broker instead of offering a form, and the header
// says "Broker unreachable since …" while Mosquitto is away. One hub for the file.
import type { Page } from "@playwright/test";
import mqtt, { type MqttClient } from "mqtt";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "../broker/test-upstream-brokers";
import { expect, test, TestHub } from "./hub";

const HEARTH = { username: "hearth", password: "hearth-upstream-pass" };
let broker: UpstreamMosquitto;
let hub: TestHub;
let device: MqttClient;

test.beforeAll(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password });
  hub = await TestHub.start({
    env: {
      HEARTH_MQTT_URL: `mqtt://127.0.0.1:${broker.port}`,
      HEARTH_MQTT_USERNAME: HEARTH.username,
      HEARTH_MQTT_PASSWORD: HEARTH.password,
      HEARTH_MQTT_CLIENT_ID: "hearth-e2e",
    },
  });
  // The device reconnects on its own when Mosquitto comes back (the last test stops it).
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...HEARTH, clientId: "e2e-attic", reconnectPeriod: 300 });
});

test.afterAll(async () => {
  await device?.endAsync(true);
  await hub?.dispose();
  await broker?.stop();
});

const row = (page: Page, selector: string) => page.locator(selector);

test("a reading from the upstream broker shows live, a toggle reaches the device there, device accounts belong to the broker", async ({ page }) => {
  await device.publishAsync("home/attic/fan/state", "OFF", { qos: 1, retain: true });
  await device.subscribeAsync("home/attic/fan/set", { qos: 1 });
  const errors = await hub.open(page);

  await device.publishAsync("home/attic/temperature", "31.7", { qos: 1 });
  await expect(row(page, '[data-topic="home/attic/temperature"]')).toContainText("31.7");

  const fan = row(page, 'li[data-device="attic/fan"]').getByTestId("toggle");
  await expect(fan).toHaveAttribute("data-state", "off");
  const command = new Promise<string>((resolve) => device.on("message", (topic, payload) => topic === "home/attic/fan/set" && resolve(payload.toString())));
  await fan.click();
  expect(await command).toBe("ON");
  await device.publishAsync("home/attic/fan/state", "ON", { qos: 1, retain: true });
  await expect(fan).toHaveAttribute("data-state", "on");

  await page.goto(new URL("/settings/devices", hub.url).href);
  await expect(page.getByTestId("upstream-devices")).toContainText(`mqtt://127.0.0.1:${broker.port}`);
  await expect(page.getByRole("button", { name: "Add device" })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the header says the broker is unreachable, and since when, until it is back", async ({ page }) => {
  await hub.open(page);
  const state = page.getByTestId("upstream-state");
  await expect(state).toHaveCount(0);
  await broker.kill();
  try {
    // The page asks every 5 s (components/upstream-notice.tsx): a bound above that, not a speed.
    await expect(state).toHaveText(/^Broker unreachable since \d{1,2}:\d{2}/, { timeout: 15_000 });
    await expect(state).toHaveAttribute("data-code", /upstream-(lost|unreachable)/);
    await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected"); // the page's own link to Hearth is fine
  } finally {
    await broker.start();
  }
  await expect(state).toHaveCount(0, { timeout: 30_000 });
  await expect.poll(() => hub.output).toMatch(/ERROR upstream: .* code="upstream-lost"/);
});
