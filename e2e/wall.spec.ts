// The wall tablet (issue 15), 1280 × 800 landscape, in Korean: every room of the demo
// home on one screen, nothing scrolling, states readable from 3 m, alerts with their
// unit, a room opening full-screen with its chart, and a viewer's toggles that say so.
import type { Page } from "@playwright/test";
import { expect, shoot, test } from "./ui-home";

test.use({ viewport: { width: 1280, height: 800 }, hasTouch: true, locale: "ko-KR" });

const ROOMS = ["attic", "bathroom", "bedroom", "hallway_plug", "kitchen", "living_room", "office"];

/** Font sizes in px of the visible text in the kiosk's device rows, as "text size". */
function deviceTextSizes(page: Page): Promise<{ text: string; size: number }[]> {
  return page.getByTestId("kiosk").evaluate((kiosk) => {
    const out: { text: string; size: number }[] = [];
    for (const el of kiosk.querySelectorAll<HTMLElement>("[data-device] *")) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== "");
      const box = el.getBoundingClientRect();
      if (!own || box.width <= 1 || box.height <= 1) continue;
      out.push({ text: el.textContent!.trim(), size: parseFloat(getComputedStyle(el).fontSize) });
    }
    return out;
  });
}

test("the demo home's seven rooms fit one screen, with large key readings, 16 px states and alerts with units", async ({ page, demo }) => {
  const errors = await demo.hub.open(page, "/kiosk");
  const rooms = page.locator('[data-testid^="kiosk-room-"]');
  await expect(rooms).toHaveCount(7);
  await expect(page.getByTestId("kiosk-grid")).toHaveAttribute("data-pages", "1");
  for (const room of await rooms.all()) {
    const box = (await room.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
  }
  // Nothing to scroll, so nothing out of sight and no scrolling back when idle.
  const kiosk = page.getByTestId("kiosk");
  expect(await kiosk.evaluate((el) => el.scrollHeight - el.clientHeight)).toBe(0);

  const living = page.getByTestId("kiosk-room-living_room");
  const key = living.locator("[data-kiosk-topic]").first();
  await expect(key).toHaveAttribute("data-kiosk-topic", "home/living_room/temperature");
  expect(await key.locator("span").nth(1).evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(48);

  // Korean page: OFF reads 꺼짐 (issue 15, every word in the page's language).
  await expect(living.locator('li[data-device="living_room/lamp"]')).toContainText("꺼짐");
  expect((await deviceTextSizes(page)).filter((t) => t.size < 16)).toEqual([]);

  await expect(page.getByTestId("kiosk-alerts")).toContainText("31.5 °C");
  await shoot(page, "kiosk-1280");
  expect(errors).toEqual([]);
});

/**
 * The device rows and switches on the kiosk's first page that are not wholly on the
 * screen and inside their room's tile (which clips what overflows it), by device.
 */
function cutToggles(page: Page): Promise<{ device: string; what: string }[]> {
  return page.getByTestId("kiosk-grid").evaluate((grid) => {
    const within = (inner: DOMRect, outer: { left: number; top: number; right: number; bottom: number }) =>
      inner.left >= outer.left - 0.5 && inner.top >= outer.top - 0.5 && inner.right <= outer.right + 0.5 && inner.bottom <= outer.bottom + 0.5;
    const screen = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
    const cut: { device: string; what: string }[] = [];
    for (const tile of grid.querySelectorAll<HTMLElement>('[data-testid^="kiosk-room-"]')) {
      const tileBox = tile.getBoundingClientRect();
      for (const row of tile.querySelectorAll<HTMLElement>("li[data-device]")) {
        for (const [what, el] of [["row", row], ...[...row.querySelectorAll<HTMLElement>("[role=switch]")].map((s) => ["switch", s] as const)] as const) {
          const box = el.getBoundingClientRect();
          if (!within(box, screen)) cut.push({ device: row.dataset.device!, what: `${what} off screen` });
          else if (!within(box, tileBox)) cut.push({ device: row.dataset.device!, what: `${what} outside its tile` });
        }
      }
    }
    return cut;
  });
}

test("every toggle on the first page is whole, on screen and inside its tile, in Korean and in English", async ({ page, demo }) => {
  await demo.hub.open(page, "/kiosk");
  const switches = page.getByTestId("kiosk-grid").getByRole("switch");
  // The rooms with two devices, whose second switch a tile used to cut off (issue 15).
  await expect(page.getByTestId("kiosk-room-kitchen").getByRole("switch")).toHaveCount(1);
  await expect(page.getByTestId("kiosk-room-living_room").getByRole("switch")).toHaveCount(1);
  expect(await switches.count()).toBeGreaterThanOrEqual(3);
  expect(await cutToggles(page)).toEqual([]);

  // The language switcher's cookie, then the same screen in English.
  await page.context().addCookies([{ name: "hearth-locale", value: "en", url: demo.hub.url }]);
  await page.reload();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected");
  await expect(page.getByTestId("kiosk-room-living_room").locator('li[data-device="living_room/lamp"]')).toContainText("OFF");
  expect(await cutToggles(page)).toEqual([]);
  await shoot(page, "kiosk-1280-en");
});

test("a room opens full-screen with its chart and its switches", async ({ page, demo }) => {
  await demo.hub.open(page, "/kiosk");
  await page.getByTestId("kiosk-room-living_room").getByRole("button").first().tap();
  const kiosk = page.getByTestId("kiosk");
  await expect(kiosk).toHaveAttribute("data-view", "room");
  const room = page.getByTestId("kiosk-room-living_room");
  // Opened full-screen: the tile may be laid out (or replaced) a moment after the view says "room".
  await expect.poll(async () => (await room.boundingBox({ timeout: 1000 }).catch(() => null))?.width ?? 0).toBeGreaterThan(1100);
  await expect(room.getByTestId("history-chart")).toHaveAttribute("data-state", "ready");
  await expect(room.locator('li[data-device="living_room/lamp"] [role=switch]')).toBeEnabled();
  await shoot(page, "kiosk-room-1280");
});

test("a viewer's wall shows toggles that say 'view only' instead of switches that would be refused", async ({ browser, demo }) => {
  const viewer = await demo.hub.createUser("wall-viewer", "viewer");
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true, locale: "ko-KR" });
  try {
    const page = await context.newPage();
    await demo.hub.open(page, "/kiosk", { as: viewer });
    const lamp = page.getByTestId("kiosk-room-living_room").locator('li[data-device="living_room/lamp"]');
    await expect(lamp.getByRole("switch")).toBeDisabled();
    await expect(lamp).toContainText("보기 전용");
  } finally {
    await context.close();
  }
});
