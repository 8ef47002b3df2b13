// A phone (390 × 844, touch) in Korean (issue 15): one compact header, a one-line
// alert banner, a bottom bar with icons that marks the current page and counts the
// alerts still firing, and, with the hub out of reach, one calm stale state.
import { expect, shoot, test } from "./ui-home";

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, locale: "ko-KR" });

test("one compact header, a one-line banner, and a bottom bar with icons that marks where you are", async ({ page, demo }) => {
  const errors = await demo.hub.open(page, "/");
  const header = page.locator("header").first();
  expect((await header.boundingBox())!.height).toBeLessThanOrEqual(60);
  const banner = page.getByTestId("alert-banner");
  await expect(banner).toBeVisible();
  expect((await banner.boundingBox())!.height).toBeLessThanOrEqual(52);
  // The phone's height goes to readings: the first room starts in the top fifth.
  await expect(page.getByTestId("room-attic")).toBeVisible();
  expect((await page.locator('[data-testid^="room-"]').first().boundingBox())!.y).toBeLessThan(844 / 5);

  const nav = page.getByTestId("site-nav");
  const links = nav.getByRole("link");
  for (const link of await links.all()) {
    if (await link.isVisible()) await expect(link.locator("svg")).toBeVisible();
  }
  await expect(nav.getByRole("link", { name: "홈" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "설정" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "벽걸이 화면" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "저장소" })).toBeHidden();
  await shoot(page, "phone-390");

  await nav.getByRole("link", { name: /알림/ }).tap();
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(nav.getByRole("link", { name: /알림/ })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "홈" })).not.toHaveAttribute("aria-current", "page");
  expect(errors).toEqual([]);
});

test("the nav counts firing alerts, still after one is acknowledged", async ({ page, demo }) => {
  await demo.hub.open(page, "/alerts");
  const count = page.getByTestId("nav-alert-count");
  await expect(count).toHaveText("1");
  await demo.publish("home/attic/humidity", "85");
  await expect(count).toHaveText("2");
  const damp = page.getByTestId("alert-row").and(page.locator('[data-rule="attic-damp"]'));
  await damp.getByRole("button", { name: "확인", exact: true }).tap();
  await expect(damp).toHaveAttribute("data-acknowledged", "true");
  // The banner lets go of it; the nav still says two alerts fire.
  await expect(page.getByTestId("alert-banner").locator('[data-rule="attic-damp"]')).toHaveCount(0);
  await expect(count).toHaveText("2");
  await demo.publish("home/attic/humidity", "60");
  await expect(count).toHaveText("1");
});

test("the explorer fits the phone's width", async ({ page, demo }) => {
  await demo.hub.open(page, "/explorer");
  await expect(page.locator("main")).not.toBeEmpty();
  await expect(page.getByTestId("topic-tree")).toBeVisible();
  // Every element inside the screen's width, named when one is not.
  const wide = await page
    .locator("main *")
    .evaluateAll((els) => els.filter((el) => el.getBoundingClientRect().right > 390.5).map((el) => `${el.tagName} ${el.className} ${Math.round(el.getBoundingClientRect().right)}`));
  expect(wide).toEqual([]);
});

test("with the hub out of reach: one calm stale state, no retries, names whole, 'offline' said once", async ({ browser, demo }) => {
  const context = await browser.newContext({ serviceWorkers: "allow", viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, locale: "ko-KR" });
  try {
    const page = await context.newPage();
    await demo.hub.open(page, "/");
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const header = page.locator("header").first();
    const live = (await page.getByTestId("connection").boundingBox())!;

    await context.setOffline(true);
    await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "offline");
    // The alerts page, unreachable: the worker shows the last dashboard it kept.
    await page.goto(new URL("/alerts", demo.hub.url).href);
    await expect(page.getByTestId("stale")).toHaveCount(1);
    await expect(page.getByTestId("stale")).toContainText("기준");
    await expect(page.getByTestId("chart-error")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "다시 시도" })).toHaveCount(0);
    // The header keeps its one row and the connection state stays where it was.
    expect((await header.boundingBox())!.height).toBeLessThanOrEqual(60);
    const offline = (await page.getByTestId("connection").boundingBox())!;
    expect(Math.abs(offline.x + offline.width - (live.x + live.width))).toBeLessThanOrEqual(2);
    expect(await page.locator("header").first().evaluate((el) => (el.textContent!.match(/오프라인/g) ?? []).length)).toBe(1);
    // Values dimmed, with their age; device names whole.
    const row = page.locator('li[data-topic="home/living_room/temperature"]');
    await expect(row).toHaveAttribute("data-stale", "true");
    const names = await page.locator("li[data-device] [data-device-name]").evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent));
    expect(names).toEqual([]);
    await shoot(page, "phone-offline-390");
    await context.setOffline(false);
  } finally {
    await context.close();
  }
});
