// The simulated home: real MQTT clients over TCP, so a first start shows a living dashboard.
import mqtt from "mqtt";
import { expect, test, TestHub } from "./hub";

let hub: TestHub;

test.beforeAll(async () => {
  hub = await TestHub.start({ simulator: true, simulatorIntervalMs: 500 });
});
test.afterAll(async () => {
  await hub?.dispose();
});

test("the demo home shows rooms with live readings and switches that answer commands", async ({ page }) => {
  await hub.open(page);
  for (const name of ["living_room", "kitchen", "bedroom", "bathroom", "office"]) {
    await expect(page.getByTestId(`room-${name}`)).toBeVisible();
  }
  await expect(page.locator('[data-topic="home/living_room/co2"]')).toContainText("ppm");
  await expect(page.locator('[data-topic="home/office/illuminance"]')).toContainText("lx");

  // A switch answers …/set by publishing …/state, like a real one.
  const lamp = page.locator('[data-device="living_room/lamp"]');
  await expect(lamp).toContainText("OFF");
  const client = await mqtt.connectAsync(hub.mqttUrl, { clientId: "e2e-remote" });
  try {
    await client.publishAsync("home/living_room/lamp/set", "ON", { qos: 1 });
    await expect(lamp).toContainText("ON");
    await client.publishAsync("home/living_room/lamp/set", "TOGGLE", { qos: 1 });
    await expect(lamp).toContainText("OFF");
  } finally {
    await client.endAsync();
  }
});

test("each simulated device announces a retained availability, as a late subscriber sees", async () => {
  const watcher = await mqtt.connectAsync(hub.mqttUrl, { clientId: "e2e-watcher" });
  const seen = new Map<string, string>();
  watcher.on("message", (topic, payload) => seen.set(topic, payload.toString()));
  await watcher.subscribeAsync("home/+/+/availability", { qos: 1 });
  // Retained: this client subscribed long after the devices connected, and still learns they are online.
  await expect.poll(() => seen.get("home/kitchen/coffee_maker/availability")).toBe("online");
  await expect.poll(() => seen.get("home/bedroom/climate/availability")).toBe("online");
  await watcher.endAsync();
});

test("the demo home's switches work as toggles, the discovered hallway plug too", async ({ page }) => {
  await hub.open(page);
  const lamp = page.locator('[data-device="living_room/lamp"]').getByTestId("toggle");
  await expect(lamp).toHaveAttribute("data-state", /on|off/);
  const before = await lamp.getAttribute("data-state");
  await lamp.click();
  // The simulated lamp answers on …/state, which is what the toggle shows.
  await expect(lamp).toHaveAttribute("data-state", before === "on" ? "off" : "on");

  const coffee = page.locator('[data-device="kitchen/coffee_maker"]').getByTestId("toggle");
  await expect(coffee).toBeEnabled();

  // The plug announces itself through Home Assistant discovery, in its suggested area.
  const hallway = page.getByTestId("room-hallway");
  await expect(hallway).toContainText("Hallway plug");
  const plug = hallway.locator('[data-device="ha:switch/hearth_sim_hallway_plug/switch"]');
  await expect(plug).toHaveAttribute("data-availability", "online");
  await expect(plug.getByTestId("toggle")).toHaveAttribute("data-state", "off");
  await plug.getByTestId("toggle").click();
  await expect(plug.getByTestId("toggle")).toHaveAttribute("data-state", "on");
  const power = hallway.locator('li[data-topic="ha:sensor/hearth_sim_hallway_plug/power"]');
  await expect(power).toContainText("Hallway plug Power");
  await expect(power).toContainText("W");
});

test("in Korean, the dashboard and a reading page name every measurement, state and range in Korean", async ({ browser }) => {
  const context = await browser.newContext({ locale: "ko-KR" });
  try {
    const page = await context.newPage();
    await hub.open(page, "/");
    const office = page.getByTestId("room-office");
    await expect(office.locator('[data-topic="home/office/illuminance"]')).toContainText("조도");
    await expect(office.locator('[data-topic="home/office/temperature"]')).toContainText("온도");
    await expect(page.locator('[data-device="living_room/lamp"]').getByTestId("toggle-state")).toHaveText(/^(켜짐|꺼짐)$/);
    // The readings named from topic words: no English measurement name or state is left.
    const readingsText = (await page.locator('li[data-topic^="home/"]').allInnerTexts()).join("\n");
    expect(readingsText).not.toMatch(/Temperature|Humidity|Illuminance|temperature|humidity|illuminance|co2/);
    const statesText = (await page.getByTestId("toggle-state").allInnerTexts()).join(" ");
    expect(statesText).not.toMatch(/\b(ON|OFF)\b/);

    await page.goto(`${hub.url}/readings/home/%2B/humidity`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("모든 방의 습도");
    await expect(page).toHaveTitle("모든 방의 습도 · Hearth");
    const ranges = page.getByRole("group", { name: "기간" });
    await expect(ranges.locator("button[data-range]")).toHaveText(["1시간", "24시간", "7일", "30일", "직접 지정"]);
    await page.goto(`${hub.url}/readings/home/kitchen/temperature`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Kitchen 온도");
  } finally {
    await context.close();
  }
});
