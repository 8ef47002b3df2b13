// Phone and wall tablet (issue 7): every page fits a phone's width with touch
// targets a thumb can hit, and the kiosk on a landscape tablet shows live values
// and a firing alert, big.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Page } from "@playwright/test";
import { expect, test, TestHub } from "./hub";

const run = promisify(execFile);
const publish = (hub: TestHub, topic: string, value: string, retain = false) =>
  run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-t", topic, "-m", value, ...(retain ? ["-r"] : [])]);

/** WCAG 2.5.5 and the platforms' guidelines: 44 × 44 CSS px. */
const MIN_TARGET = 44;

/** How far the page is wider than the screen (0 when nothing scrolls sideways). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * Visible controls smaller than a thumb, as "tag 'text' w×h". Links inside running
 * text are exempt (WCAG 2.5.5's inline exception), as are controls the browser draws
 * at a fixed size (checkboxes, radio buttons) when their label is the target.
 */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const small: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("a[href], button, select, summary, input, textarea, [role=switch]")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      if (el.tagName === "A" && el.closest("p")) continue;
      if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio") && el.closest("label")) {
        const label = el.closest("label")!.getBoundingClientRect();
        if (label.height >= min) continue;
      }
      if (box.height < min - 0.5 || box.width < min - 0.5) {
        small.push(`${el.tagName.toLowerCase()} '${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 30)}' ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  }, MIN_TARGET);
}

const RULE = {
  id: "attic-hot",
  name: "Attic too hot",
  severity: "critical",
  kind: "threshold",
  filter: "home/attic/temperature",
  direction: "above",
  threshold: 30,
  clear: 28,
};

let hub: TestHub;
let configDir: string;
test.beforeAll(async () => {
  configDir = mkdtempSync(path.join(tmpdir(), "hearth-screens-"));
  const configFile = path.join(configDir, "hearth.config.json");
  writeFileSync(configFile, JSON.stringify({ alerts: { rules: [RULE] } }));
  hub = await TestHub.start({ env: { HEARTH_CONFIG: configFile } });
  await publish(hub, "home/attic/temperature", "24.5");
  await publish(hub, "home/attic/humidity", "48");
  await publish(hub, "home/living_room/temperature", "21.25");
  await publish(hub, "home/living_room/lamp/state", "ON", true);
});
test.afterAll(async () => {
  await hub?.dispose();
  rmSync(configDir, { recursive: true, force: true });
});

const PAGES = ["/", "/alerts", "/explorer", "/settings/storage", "/rooms/attic", "/readings/home/attic/temperature", "/kiosk"];

test.describe("on a phone in portrait", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  for (const pathname of PAGES) {
    test(`${pathname} fits the screen and its controls are big enough to touch`, async ({ page }) => {
      const errors = await hub.open(page, pathname);
      await expect(page.locator("main")).not.toBeEmpty();
      expect(await overflow(page)).toBe(0);
      expect(await smallTargets(page)).toEqual([]);
      // The narrowest phones in use.
      await page.setViewportSize({ width: 360, height: 740 });
      expect(await overflow(page)).toBe(0);
      expect(errors).toEqual([]);
    });
  }

  test("page links sit along the bottom edge, within thumb reach", async ({ page }) => {
    await hub.open(page, "/");
    const nav = page.getByTestId("site-nav");
    const box = (await nav.boundingBox())!;
    expect(box.y + box.height).toBeGreaterThan(844 - 2);
    await nav.getByRole("link", { name: "Alerts" }).tap();
    await expect(page).toHaveURL(/\/alerts$/);
  });
});

test.describe("on a wall tablet in landscape", () => {
  test.use({ viewport: { width: 1280, height: 800 }, hasTouch: true });

  test("the kiosk shows the clock, live values, toggles and a firing alert, big, with nothing else on screen", async ({ page }) => {
    const errors = await hub.open(page, "/kiosk");
    const kiosk = page.getByTestId("kiosk");
    // Dark by default, whatever the system says (this browser says light).
    await expect(kiosk).toHaveAttribute("data-theme", "dark");
    expect(await kiosk.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(19, 17, 15)");
    await expect(page.getByRole("navigation")).toHaveCount(0);
    await expect(page.getByTestId("kiosk-clock")).toHaveText(/\d{2}:\d{2}/);

    const attic = page.getByTestId("kiosk-room-attic");
    const temperature = attic.locator('[data-kiosk-topic="home/attic/temperature"]');
    await expect(temperature).toContainText("24.5");
    await publish(hub, "home/attic/temperature", "26.75");
    await expect(temperature).toContainText("26.75");
    // Readable across a room: the value is set in large type.
    const size = await temperature.locator("span").nth(1).evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(40);

    const lamp = page.getByTestId("kiosk-room-living_room").locator('li[data-device="living_room/lamp"]');
    await expect(lamp).toHaveAttribute("data-state", "ON");
    await expect(lamp.getByRole("switch")).toBeEnabled();

    await expect(page.getByTestId("kiosk-alerts")).toHaveCount(0);
    await publish(hub, "home/attic/temperature", "31.5");
    const alerts = page.getByTestId("kiosk-alerts");
    await expect(alerts).toBeVisible();
    await expect(alerts).toHaveAttribute("data-severity", "critical");
    await expect(alerts.locator('[data-rule="attic-hot"]')).toContainText("Attic too hot");
    await expect(alerts).toContainText("31.5");
    await expect(temperature).toHaveAttribute("data-alert", "critical");

    expect(await overflow(page)).toBe(0);
    expect(await smallTargets(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("a locked kiosk shows toggles it will not switch", async ({ page }) => {
    await hub.open(page, "/kiosk?lock=1");
    await expect(page.getByTestId("kiosk")).toHaveAttribute("data-locked", "true");
    await expect(page.getByTestId("kiosk-locked")).toBeVisible();
    const toggle = page.locator('li[data-device="living_room/lamp"]').getByRole("switch");
    await expect(toggle).toBeDisabled();
  });

  test("tapping a room shows all its readings, and the kiosk returns to all rooms after the idle time", async ({ page }) => {
    // The page's clock is ours to move: the idle time passes without the test waiting it out.
    await page.clock.install();
    await hub.open(page, "/kiosk?idle=10");
    const kiosk = page.getByTestId("kiosk");
    await page.getByRole("button", { name: /Show all of Attic/ }).tap();
    await expect(kiosk).toHaveAttribute("data-view", "room");
    await expect(page.getByTestId("kiosk-room-living_room")).toHaveCount(0);
    // The installed clock also runs on by itself while the test works (seconds on a busy
    // machine), so "not yet" is checked well inside the idle time, "back" past it. A key
    // press (activity, as a touch is) restarts the idle time right before: what the tap and
    // its checks took in real time does not count (review-12 F7).
    await page.keyboard.press("Shift");
    await page.clock.fastForward(4_000);
    await expect(kiosk).toHaveAttribute("data-view", "room");
    await page.clock.fastForward(7_000);
    await expect(kiosk).toHaveAttribute("data-view", "home");
    await expect(page.getByTestId("kiosk-room-living_room")).toBeVisible();
  });

  test("at night the idle kiosk goes dark; a touch or the motion sensor's topic wakes it", async ({ page }) => {
    // A night schedule around the time it is now; the page's clock is ours to move, from now.
    // Never set it into the past: mqtt.js times its keep-alive in a Web Worker (worker-timers),
    // which reads the page's faked performance clock against its own real one, so a page clock
    // behind real time fires the keep-alive at once and the page never stays connected (CI
    // failed so when it ran just after 23:00 with this test's clock at 23:00).
    const hhmm = (t: number) => new Date(t).toTimeString().slice(0, 5);
    const schedule = `${hhmm(Date.now() - 3_600_000)}-${hhmm(Date.now() + 3_600_000)}`;
    await page.clock.install();
    await hub.open(page, `/kiosk?night=${schedule}&idle=10&wake=home/hallway/motion`);
    const cover = page.getByTestId("kiosk-night");
    // The idle time runs in real time too (page.clock.install() without pauseAt, see above):
    // an open slower than 10 s would find the kiosk dark already. Activity right before the
    // check restarts it (review-12 F7).
    await page.keyboard.press("Shift");
    await expect(cover).toHaveCount(0);
    await page.clock.fastForward(11_000);
    await expect(cover).toBeVisible();
    // The motion sensor's message is the one step that needs the page's MQTT link, so it comes
    // first, 11 s ahead rather than 22: mqtt.js times its keep-alive in a Web Worker that waits
    // each tick out by as much as the page's clock runs ahead of real time, and a page more
    // than 7.5 s ahead pings later than the broker's 45 s allows (review-12 F6). The broker then
    // drops it and it reconnects, losing a QoS 0 message sent in between: so the sensor says
    // "motion" again until the page wakes, as a sensor that keeps seeing someone would.
    await expect
      .poll(
        async () => {
          await publish(hub, "home/hallway/motion", "1");
          return cover.count();
        },
        { timeout: 60_000 },
      )
      .toBe(0);

    // One of the poll's earlier "motion" messages may still reach the page after it woke, which
    // restarts its idle time (fresh19 saw the cover stay away for the 10 s after one such
    // fast-forward): move the clock on until the kiosk is dark again.
    await expect
      .poll(
        async () => {
          await page.clock.fastForward(11_000);
          return cover.isVisible();
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    await cover.tap();
    await expect(cover).toHaveCount(0);
  });

  // Last: it restarts the hub, which forgets retained messages of the tests before.
  test("while the hub is down the kiosk says since when its values are stale, and goes live again by itself", async ({ page }) => {
    await hub.open(page, "/kiosk");
    await expect(page.getByTestId("stale")).toHaveCount(0);
    await hub.stop();
    const stale = page.getByTestId("stale");
    await expect(stale).toHaveText(/^Stale since \d{2}:\d{2}$/, { timeout: 15_000 });
    await expect(page.getByTestId("kiosk-room-attic").locator('[data-kiosk-topic="home/attic/temperature"]')).toBeVisible();
    await hub.start();
    await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected", { timeout: 30_000 });
    await expect(stale).toHaveCount(0);
    await publish(hub, "home/attic/temperature", "23.25");
    await expect(page.getByTestId("kiosk-room-attic").locator('[data-kiosk-topic="home/attic/temperature"]')).toContainText("23.25");
  });
});
