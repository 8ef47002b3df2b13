// Language and theme (issue 7): chosen from the browser's settings, switchable, and
// remembered, with the server and the browser agreeing on the first paint.
import { expect, test, TestHub } from "./hub";

let hub: TestHub;
test.beforeAll(async () => {
  hub = await TestHub.start();
});
test.afterAll(async () => {
  await hub?.dispose();
});

test("a browser set to Korean gets Korean from the first paint, and English is one switch away", async ({ browser }) => {
  const context = await browser.newContext({ locale: "ko-KR" });
  const page = await context.newPage();
  const errors = await hub.open(page, "/");
  await expect(page.locator("html")).toHaveAttribute("lang", "ko");
  const nav = page.getByRole("navigation", { name: "페이지" });
  await expect(nav.getByRole("link", { name: "알림" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveText("실시간");
  await expect(page.getByTestId("empty-state")).toContainText("아직 측정값이 없습니다");

  await page.getByLabel("화면 설정").click();
  await page.getByTestId("language").selectOption("en");
  await expect(page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Alerts" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  // Remembered: the server renders English now, though the browser still asks for Korean.
  await page.reload();
  await expect(page.getByTestId("empty-state")).toContainText("No readings yet");
  expect(errors).toEqual([]);
  await context.close();
});

test("the theme follows the system until switched, and the choice survives a reload", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await hub.open(page, "/");
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(await background()).toBe("rgb(19, 17, 15)");

  await page.getByLabel("Display settings").click();
  await page.getByRole("button", { name: "Light" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await background()).toBe("rgb(246, 244, 241)");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await background()).toBe("rgb(246, 244, 241)");

  await page.getByLabel("Display settings").click();
  await page.getByRole("button", { name: "System" }).click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /./);
  expect(await background()).toBe("rgb(19, 17, 15)");
  await context.close();
});
