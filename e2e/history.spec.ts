// History that scales (issue 6), end to end: readings published over MQTT with past
// timestamps fill a month of history; a person switches chart ranges, drags to zoom,
// downloads CSV, and browses the topic explorer in a real browser.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { Locator, Page } from "@playwright/test";
import mqtt, { type MqttClient } from "mqtt";
import { ADMIN, expect, test, TestHub } from "./hub";
import { settledBox } from "./settled-box";

const run = promisify(execFile);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** One reading every 5 minutes for 30 days, with a 12-hour outage 3 days ago. */
const STEP = 5 * MINUTE;
const OUTAGE = { from: 3 * DAY, to: 3 * DAY - 12 * 60 * MINUTE };

let hub: TestHub;
let device: MqttClient;

/** Publishes a month of readings with their own `ts`, as a device catching up would. */
async function publishMonth(topic: string, base: number, now: number): Promise<number> {
  const payloads: string[] = [];
  for (let ago = 30 * DAY - STEP; ago >= STEP; ago -= STEP) {
    if (ago <= OUTAGE.from && ago > OUTAGE.to) continue;
    const i = payloads.length;
    payloads.push(JSON.stringify({ value: base + ((i * 7) % 40) / 10, ts: now - ago }));
  }
  // QoS 1 in bounded chunks: every message acknowledged, a few hundred in flight at most.
  for (let i = 0; i < payloads.length; i += 400) {
    await Promise.all(payloads.slice(i, i + 400).map((p) => device.publishAsync(topic, p, { qos: 1 })));
  }
  return payloads.length;
}

test.use({ viewport: { width: 900, height: 900 } });

test.beforeAll(async () => {
  // A month of readings is back-filled as fast as QoS 1 allows: far past the per-client
  // publish limit a live device is held to, so this hub lets the loader through.
  hub = await TestHub.start({ env: { HEARTH_MQTT_MAX_PUBLISH_RATE: "1000000" } });
  device = await mqtt.connectAsync(hub.mqttUrl, { clientId: "e2e-history" });
  const now = Date.now();
  await publishMonth("home/attic/temperature", 20, now);
  await publishMonth("home/hall/temperature", 18, now);
});

test.afterAll(async () => {
  await device?.endAsync();
  await hub?.dispose();
});

const chart = (page: Page) => page.getByTestId("history-chart");

async function pickRange(page: Page, range: string): Promise<Locator> {
  await chart(page).locator(`button[data-range="${range}"]`).click();
  const c = chart(page);
  await expect(c).toHaveAttribute("data-range", range);
  await expect(c).toHaveAttribute("data-state", "ready");
  return c;
}

/** What the hub answers for the chart's own range and budget, asked directly. */
async function hubSeries(page: Page, c: Locator) {
  const [topic, from, to, points] = await Promise.all(
    ["data-topic", "data-from", "data-to", "data-budget"].map((a) => c.getAttribute(a)),
  );
  const query = new URLSearchParams({ topic: topic!, from: from!, to: to!, points: points! });
  const response = await page.request.get(`${hub.url}/api/history/series?${query}`);
  expect(response.ok()).toBe(true);
  return (await response.json()).series as { tier: string; bucketMs: number; points: { t: number }[] }[];
}

test("switching ranges redraws the chart with data from the right tier", async ({ page }) => {
  const errors = await hub.open(page, "/readings/home/attic/temperature");
  const expected: [range: string, tier: string][] = [
    ["1h", "raw"],
    ["24h", "raw"],
    ["7d", "minute"],
    ["30d", "hour"],
  ];
  const counts: number[] = [];
  for (const [range, tier] of expected) {
    const c = await pickRange(page, range);
    await expect(c).toHaveAttribute("data-tier", tier);
    const [series] = await hubSeries(page, c);
    expect(series.tier).toBe(tier);
    // The chart draws exactly the hub's points for its range (gap breaks are not points).
    await expect(c.getByTestId("chart")).toHaveAttribute("data-points", String(series.points.length));
    expect(series.points.length).toBeLessThanOrEqual(Number(await c.getAttribute("data-budget")));
    counts.push(series.points.length);
  }
  // 1 h holds 11–12 readings five minutes apart; 24 h about 288; longer ranges are bucketed.
  expect(counts[0]).toBeGreaterThanOrEqual(11);
  expect(counts[0]).toBeLessThanOrEqual(12);
  expect(counts[1]).toBeGreaterThanOrEqual(286);

  // The 12-hour outage three days ago is a break in the 7-day line, not a line across it.
  const c = await pickRange(page, "7d");
  const path = await c.locator(".recharts-line-curve").first().getAttribute("d");
  expect(path!.match(/M/g)!.length).toBe(2);
  expect(errors).toEqual([]);
});

test("the recent ranges continue live; dragging across the chart zooms in", async ({ page }) => {
  await hub.open(page, "/readings/home/attic/temperature");
  const c = await pickRange(page, "1h");
  const points = Number(await c.getByTestId("chart").getAttribute("data-points"));
  await device.publishAsync("home/attic/temperature", "27.5", { qos: 1 });
  await expect(c.getByTestId("chart")).toHaveAttribute("data-points", String(points + 1));

  await pickRange(page, "7d");
  const [from, to, weekBucket] = (
    await Promise.all(["data-from", "data-to", "data-bucket-ms"].map((a) => c.getAttribute(a)))
  ).map(Number);
  const box = await settledBox(c.getByTestId("chart-zoom-area"));
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(c).toHaveAttribute("data-range", "custom");
  await expect(c).toHaveAttribute("data-state", "ready");
  const [zFrom, zTo] = (await Promise.all([c.getAttribute("data-from"), c.getAttribute("data-to")])).map(Number);
  // About a tenth of the week, inside it.
  expect(zFrom).toBeGreaterThan(from + (to - from) * 0.45);
  expect(zTo).toBeLessThan(from + (to - from) * 0.65);
  expect(zTo - zFrom).toBeGreaterThan((to - from) * 0.05);
  // Three days ago is past the 48-hour raw window: finer minute buckets than the week's.
  await expect(c).toHaveAttribute("data-tier", "minute");
  expect(Number(await c.getAttribute("data-bucket-ms"))).toBeLessThan(weekBucket);
});

/** Data rows of a CSV file (the header left out). */
async function csvRows(page: Page, link: Locator): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const text = await readFile((await download.path())!, "utf8");
  return text.trim().split("\r\n").slice(1).map((line) => line.split(","));
}

test("the chart's CSV holds exactly the points it draws; the raw CSV every reading of the range", async ({ page }) => {
  await hub.open(page, "/readings/home/%2B/temperature");
  const c = await pickRange(page, "7d");
  await expect(c.getByTestId("chart")).toHaveAttribute("data-lines", "2");
  const series = await hubSeries(page, c);
  const drawn = Number(await c.getByTestId("chart").getAttribute("data-points"));
  expect(drawn).toBe(series[0].points.length + series[1].points.length);

  const rows = await csvRows(page, c.getByTestId("csv-chart"));
  expect(rows.length).toBe(drawn);
  // time, timestamp_ms, topic, value, min, max, unit, tier, bucket_ms
  for (const [i, s] of series.entries()) {
    const topic = ["home/attic/temperature", "home/hall/temperature"][i];
    const mine = rows.filter((r) => r[2] === topic);
    expect(mine.map((r) => Number(r[1]))).toEqual(s.points.map((p) => p.t));
    expect(new Set(mine.map((r) => r[7]))).toEqual(new Set([s.tier]));
  }

  const day = await pickRange(page, "24h");
  const raw = await csvRows(page, day.getByTestId("csv-raw"));
  const from = Number(await day.getAttribute("data-from"));
  const to = Number(await day.getAttribute("data-to"));
  const daily = await hubSeries(page, day);
  expect(raw.length).toBe(daily[0].points.length + daily[1].points.length);
  for (const r of raw) expect(Number(r[1]) >= from && Number(r[1]) <= to).toBe(true);
});

// Review-16 F12: the raw export of a filter kept only the first 24 topics (a chart's
// limit) and said X-Hearth-Truncated: no. A chart still draws 24; the files hold them all.
test("a filter's CSV exports hold every topic it matches, past the 24 lines a chart draws", async ({ page }) => {
  const beds = Array.from({ length: 30 }, (_, i) => `garden/bed-${String(i + 1).padStart(2, "0")}/moisture`);
  const from = Date.now() - 1000;
  // QoS 1: acknowledged once the reading is committed, so the exports below can read it.
  await Promise.all(beds.map((topic, i) => device.publishAsync(topic, String(30 + i), { qos: 1 })));
  await hub.logIn(page, ADMIN);
  const query = new URLSearchParams({ topic: "garden/#", from: String(from), to: String(Date.now() + 1000), tz: "UTC" });
  const topicsIn = (csv: string) => [...new Set(csv.trim().split("\r\n").slice(1).map((line) => line.split(",")[2]))].sort();

  const raw = await page.request.get(`${hub.url}/api/history/raw?${query}`);
  expect(raw.status()).toBe(200);
  expect(raw.headers()["x-hearth-truncated"]).toBe("no");
  expect(topicsIn(await raw.text())).toEqual(beds);
  const chartCsv = await page.request.get(`${hub.url}/api/history/csv?${query}`);
  expect(chartCsv.status()).toBe(200);
  expect(topicsIn(await chartCsv.text())).toEqual(beds);

  const chart = await page.request.get(`${hub.url}/api/history/series?${query}`);
  expect(((await chart.json()).series as unknown[]).length).toBe(24);
});

test("a CSV opens in Excel with °C intact and says its time zone: the viewer's", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "Asia/Seoul", viewport: { width: 900, height: 900 } });
  try {
    const page = await context.newPage();
    await hub.open(page, "/readings/home/attic/temperature");
    const c = await pickRange(page, "24h");
    const [download] = await Promise.all([page.waitForEvent("download"), c.getByTestId("csv-raw").click()]);
    const bytes = await readFile((await download.path())!);
    // The UTF-8 byte-order mark: without it Excel shows "Â°C".
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, first] = bytes.subarray(3).toString("utf8").split("\r\n");
    expect(header.split(",")[0]).toBe("time (Asia/Seoul)");
    const [time, ms, , , unit] = first.split(",");
    expect(unit).toBe("°C");
    expect(time).toMatch(/\+09:00$/);
    expect(new Date(time).getTime()).toBe(Number(ms));
  } finally {
    await context.close();
  }
});

test("the room page charts each measurement, reached from the room card", async ({ page }) => {
  await hub.open(page);
  await page.getByTestId("room-attic").getByRole("link", { name: "Attic" }).click();
  await expect(page).toHaveURL(/\/rooms\/attic$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Attic");
  await expect(chart(page)).toHaveAttribute("data-topic", "home/attic/temperature");
  await expect(chart(page)).toHaveAttribute("data-state", "ready");
});

test("the explorer shows a topic published with mosquitto_pub -r as retained", async ({ page }) => {
  const pub = (...args: string[]) => run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), ...args]);
  await pub("-r", "-t", "home/hall/lamp/state", "-m", "ON");
  await pub("-t", "zigbee2mqtt/bridge/event", "-m", '{"type":"device_joined"}');
  await pub("-t", "garage/meter/power", "-m", "1500");

  const errors = await hub.open(page, "/explorer");
  const lamp = page.locator('li[data-explorer-topic="home/hall/lamp/state"]');
  await expect(lamp).toHaveAttribute("data-retained", "true");
  await expect(lamp.getByTestId("retained")).toBeVisible();
  await expect(lamp.getByTestId("topic-value")).toHaveText("ON");
  const event = page.locator('li[data-explorer-topic="zigbee2mqtt/bridge/event"]');
  await expect(event).toHaveAttribute("data-retained", "false");
  await expect(event.getByTestId("topic-value")).toHaveText('{"type":"device_joined"}');

  // Any numeric topic, inside the home convention or not, is kept and opens its history;
  // a topic whose payloads are not numbers has none.
  await expect(event.getByRole("button", { name: "chart" })).toHaveCount(0);
  const meter = page.locator('li[data-explorer-topic="garage/meter/power"]');
  await meter.getByRole("button", { name: "chart" }).click();
  await expect(chart(page)).toHaveAttribute("data-topic", "garage/meter/power");
  await expect(chart(page)).toHaveAttribute("data-state", "ready");
  await expect(chart(page).getByTestId("chart")).toHaveAttribute("data-points", "1");
  expect(errors).toEqual([]);
});

test("the explorer searches, shows a JSON payload in full, and lets an admin publish what their role allows", async ({ page, browser }) => {
  const pub = (...args: string[]) => run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), ...args]);
  await pub("-r", "-t", "zigbee2mqtt/porch_lamp", "-m", '{"state":"ON","brightness":180,"update":{"state":"idle"}}');
  const errors = await hub.open(page, "/explorer");
  const lamp = page.locator('li[data-explorer-topic="zigbee2mqtt/porch_lamp"]');
  await page.getByLabel("Search topics").fill("porch");
  await expect(lamp).toBeVisible();
  await expect(page.locator('li[data-explorer-topic="home/attic/temperature"]')).toHaveCount(0);
  await page.getByLabel("Search topics").fill("home/+/temperature");
  await expect(page.locator('li[data-explorer-topic="home/attic/temperature"]')).toBeVisible();
  await expect(lamp).toHaveCount(0);
  await page.getByLabel("Search topics").fill("");

  // A click opens the payload, pretty-printed, with when it came; nothing folds away.
  await lamp.getByTestId("topic-name").click();
  const view = page.getByTestId("explorer-topic");
  await expect(view.getByTestId("payload")).toHaveAttribute("data-kind", "json");
  await expect(view.getByTestId("payload")).toHaveText('{\n  "state": "ON",\n  "brightness": 180,\n  "update": {\n    "state": "idle"\n  }\n}');
  await expect(view.getByTestId("last-seen")).toHaveText(/^Last message (just now|\d+ s ago)$/);
  await expect(lamp).toBeVisible();

  // Publishing: refused before sending where the role may not (the page stays connected), sent where it may.
  const watcher = await mqtt.connectAsync(hub.mqttUrl, { clientId: "e2e-explorer-watch" });
  try {
    const seen: string[] = [];
    watcher.on("message", (topic, payload) => seen.push(`${topic} ${payload}`));
    await watcher.subscribeAsync("home/#", { qos: 1 });
    const form = page.getByTestId("explorer-publish");
    await form.getByLabel("Topic").fill("home/attic/temperature");
    await form.getByLabel("Payload").fill("99");
    await form.getByRole("button", { name: "Publish" }).click();
    await expect(form.getByTestId("publish-error")).toHaveAttribute("data-code", "not-allowed");
    await form.getByLabel("Topic").fill("home/attic/fan/set");
    await form.getByLabel("Payload").fill("ON");
    await form.getByRole("button", { name: "Publish" }).click();
    await expect(form.getByTestId("publish-message")).toHaveText("Published to home/attic/fan/set.");
    await expect.poll(() => seen).toContain("home/attic/fan/set ON");
    expect(seen.some((m) => m.startsWith("home/attic/temperature 99"))).toBe(false);
    await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected");
  } finally {
    await watcher.endAsync();
  }
  expect(errors).toEqual([]);

  // A viewer explores but has no publish form.
  const viewer = await hub.createUser("vera", "viewer");
  const context = await browser.newContext();
  try {
    const viewerPage = await context.newPage();
    await hub.open(viewerPage, "/explorer", { as: viewer });
    await expect(viewerPage.getByLabel("Search topics")).toBeVisible();
    await expect(viewerPage.getByTestId("explorer-publish")).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("the storage page shows the history database's size on disk", async ({ page }) => {
  await hub.open(page, "/settings/storage");
  const size = page.getByTestId("history-size");
  await expect(size).toBeVisible();
  expect(Number(await size.getAttribute("data-bytes"))).toBeGreaterThan(0);
  await expect(page.getByTestId("rows-raw")).not.toHaveText("0");
});
