// The installed app (issue 7): a valid, installable manifest, and a service worker
// that opens the app with its last known values, marked stale, while the hub is
// down, and lets it go live again by itself when the hub is back.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Browser } from "@playwright/test";
import { expect, test, TestHub, type Credentials } from "./hub";

const run = promisify(execFile);
const publish = (hub: TestHub, topic: string, value: string) =>
  run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-t", topic, "-m", value]);

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

let hub: TestHub;

/**
 * A page in a context of its own (no test inherits another's worker or caches), opened
 * on `/` and controlled by the service worker, which is installed with the shell cached.
 */
async function openControlledPage(browser: Browser, options: { as?: Credentials } = {}) {
  const context = await browser.newContext({ serviceWorkers: "allow" });
  const page = await context.newPage();
  const errors = await hub.open(page, "/", options);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  return { context, page, errors };
}

test.beforeAll(async () => {
  hub = await TestHub.start();
});
test.afterAll(async () => {
  await hub?.dispose();
});

test("the manifest is linked from every page and has what a browser needs to install the app", async ({ page, request }) => {
  await hub.open(page, "/");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBeTruthy();
  const response = await request.get(new URL(href!, hub.url).href);
  expect(response.ok()).toBe(true);
  expect(response.headers()["content-type"]).toContain("manifest+json");
  const manifest = await response.json();
  expect(manifest).toMatchObject({ name: "Hearth", short_name: "Hearth", start_url: "/", scope: "/", display: "standalone" });
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);

  // Chromium's installability: a 192 px and a 512 px icon; Android's adaptive icons: a maskable one.
  const icons = manifest.icons as { src: string; sizes: string; type: string; purpose?: string }[];
  const sizes = new Set<string>();
  for (const icon of icons) {
    const res = await request.get(new URL(icon.src, hub.url).href);
    expect(res.ok(), icon.src).toBe(true);
    expect(res.headers()["content-type"]).toBe(icon.type);
    const { width, height } = pngSize(await res.body());
    expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    sizes.add(`${icon.purpose ?? "any"} ${icon.sizes}`);
  }
  expect([...sizes]).toEqual(expect.arrayContaining(["any 192x192", "any 512x512", "maskable 512x512"]));

  // The start page is in scope and answers; a theme colour is set for the browser's own chrome.
  expect((await request.get(new URL(manifest.start_url, hub.url).href)).ok()).toBe(true);
  await expect(page.locator('meta[name="theme-color"]').first()).toHaveAttribute("content", /^#/);
});

test("with the hub stopped, a reload shows the app and its last values as stale; when the hub is back they go live without a reload", async ({ browser }) => {
  const { context, page, errors } = await openControlledPage(browser);

  // Published after the shell was cached: seen after the reload only if the page remembered it.
  await publish(hub, "home/attic/temperature", "21.5");
  const tile = page.getByTestId("room-attic").locator('li[data-topic="home/attic/temperature"]');
  await expect(tile).toContainText("21.5");
  await expect(page.getByTestId("stale")).toHaveCount(0);

  await hub.stop();
  await expect(page.getByTestId("connection")).not.toHaveAttribute("data-status", "connected", { timeout: 15_000 });
  await page.reload();
  // The shell, from the worker's cache: header, navigation and the last value, marked stale.
  await expect(page.getByRole("navigation")).toBeVisible();
  await expect(tile).toContainText("21.5");
  await expect(page.getByTestId("stale")).toHaveText(/^As of \d{2}:\d{2}$/);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", /reconnecting|offline/);

  await hub.start();
  // The provider's backoff tops out at 10 s between attempts.
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
  await expect(page.getByTestId("stale")).toHaveCount(0);
  await publish(hub, "home/attic/temperature", "22.5");
  await expect(tile).toContainText("22.5");
  expect(errors).toEqual([]);
  await context.close();
});

test("a page asked for while the hub is slow to answer is that page when it comes, not the home page in its place", async ({ browser }) => {
  const { context, page, errors } = await openControlledPage(browser);

  // A hub that accepts connections but answers late, as its first page of a route does
  // after a restart on a busy machine (5.2 s in stop 19's CI run): longer than the
  // worker's 4 s before it falls back to a cached page. /alerts was never opened here.
  const pid = hub.pid!;
  process.kill(pid, "SIGSTOP");
  const resume = setTimeout(() => process.kill(pid, "SIGCONT"), 6_000);
  try {
    await page.goto(new URL("/alerts", hub.url).href, { timeout: 30_000 });
  } finally {
    clearTimeout(resume);
    process.kill(pid, "SIGCONT");
  }
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alerts");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected", { timeout: 15_000 });
  expect(errors).toEqual([]);
  await context.close();
});

test("a page the worker showed from its cache while the hub was slow becomes the hub's page when the hub answers", async ({ browser }) => {
  const { context, page, errors } = await openControlledPage(browser);
  // The worker keeps this page as it is now: no device account yet.
  const devices = new URL("/settings/devices", hub.url).href;
  await page.goto(devices);
  await expect.poll(() => page.evaluate(async (url) => (await caches.match(url)) !== undefined, devices)).toBe(true);
  await hub.createDevice("shed-sensor", ["home/shed/#"]);

  // A hub that has not answered after the worker's 4 s (as the first render of a route after
  // a restart may): the worker shows its saved copy, without the new account. The hub stays
  // stopped until that copy is seen (review-13 F6: no timer deciding what the test saw).
  // When the hub's answer lands, the page must show it, not go on showing the old list.
  const shed = page.locator('[data-device-account="shed-sensor"]');
  const pid = hub.pid!;
  process.kill(pid, "SIGSTOP");
  try {
    await page.goto(devices, { timeout: 30_000 });
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(shed).toHaveCount(0);
  } finally {
    process.kill(pid, "SIGCONT");
  }
  await expect(shed).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected", { timeout: 15_000 });
  expect(errors).toEqual([]);
  await context.close();
});

test("a worker of another version takes over an open page by reloading it, and leaves only its own caches", async ({ browser }) => {
  const { context, page, errors } = await openControlledPage(browser);
  const build = await page.evaluate(() => new URL(navigator.serviceWorker.controller!.scriptURL).searchParams.get("v"));
  expect(build).toBeTruthy();
  await page.evaluate(() => {
    (window as unknown as { before: boolean }).before = true;
  });

  // Another build's worker (as a page of that build would register it) replaces this one:
  // the open page must not go on running JavaScript the new worker did not serve.
  const reloaded = page.waitForEvent("load");
  await page.evaluate(() => navigator.serviceWorker.register("/sw.js?v=another-build", { scope: "/" }));
  await reloaded;
  await expect.poll(() => page.evaluate(() => (window as unknown as { before?: boolean }).before ?? false).catch(() => true)).toBe(false);
  // This page's own build registers itself again and wins; each take-over deletes the other's caches.
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? "").catch(() => ""), { timeout: 15_000 })
    .toContain(`v=${build}`);
  await expect.poll(() => page.evaluate(() => caches.keys()).catch(() => [])).toEqual(
    expect.arrayContaining([`hearth-pages-${build}`, `hearth-assets-${build}`]),
  );
  await expect.poll(async () => (await page.evaluate(() => caches.keys()).catch(() => ["…"])).filter((k) => !k.endsWith(`-${build}`))).toEqual([]);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected");
  expect(errors).toEqual([]);
  await context.close();
});

test("after logging out, the browser keeps nothing of the person: with the hub away, their dashboard is not shown from the cache", async ({ browser }) => {
  const lena = await hub.createUser("lena", "viewer");
  const { context, page } = await openControlledPage(browser, { as: lena });
  await publish(hub, "home/cellar/temperature", "12.25");
  await expect(page.getByTestId("room-cellar")).toContainText("12.25");
  // What an offline start would show: the dashboard's HTML and the last values.
  await expect.poll(() => page.evaluate(async () => (await caches.match("/")) !== undefined)).toBe(true);
  await expect.poll(() => page.evaluate(() => localStorage.getItem("hearth:last-values") ?? "")).toContain("12.25");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect.poll(() => page.evaluate(async () => (await caches.match("/")) !== undefined)).toBe(false);
  await expect.poll(() => page.evaluate(() => localStorage.getItem("hearth:last-values"))).toBeNull();

  // The next person to pick up this phone while the hub is away sees no one's home.
  await hub.stop();
  try {
    await page.goto(`${hub.url}/`);
    await expect(page.locator("body")).toContainText("Hearth is unreachable");
    await expect(page.getByText("12.25")).toHaveCount(0);
    await expect(page.getByText("lena")).toHaveCount(0);
  } finally {
    await hub.start();
  }
  await context.close();
});
