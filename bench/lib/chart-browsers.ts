// Other people reading history while the measured page runs (issue 13): each is a
// browser of its own (a Chromium context, signed in), opening a room page and its 30-day
// chart over and over until stopped. Bounded by the caller's stop().
import type { Browser, Page } from "playwright-core";
import { openDashboard } from "./browser";

export type ChartBrowsers = {
  /** Stops after each browser's current chart; how long each chart took, page load to drawn. */
  stop(): Promise<{ chartMs: number[] }>;
};

const CHART_TIMEOUT_MS = 60_000;

/** One 30-day chart on `room`'s page: open it, pick 30 d, wait until it is drawn. */
async function openMonth(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('button[data-range="30d"]').first().click({ timeout: CHART_TIMEOUT_MS });
  const chart = page.locator('[data-testid=history-chart][data-range="30d"][data-state=ready]').first();
  await chart.locator(".recharts-line-curve").first().waitFor({ timeout: CHART_TIMEOUT_MS });
}

export async function startChartBrowsers(browser: Browser, hubUrl: string, rooms: readonly string[]): Promise<ChartBrowsers> {
  const pages = await Promise.all(rooms.map(() => openDashboard(browser, hubUrl)));
  let running = true;
  const chartMs: number[] = [];
  const loops = pages.map(async (page, i) => {
    const url = new URL(`/rooms/${encodeURIComponent(rooms[i])}`, hubUrl).href;
    while (running) {
      const t0 = performance.now();
      try {
        await openMonth(page, url);
      } catch (error) {
        if (!running) return; // stopped mid-chart: the page is closing
        throw error;
      }
      chartMs.push(performance.now() - t0);
    }
  });
  // A chart that fails is reported by stop(), not as an unhandled rejection meanwhile.
  const settled = Promise.allSettled(loops);
  return {
    async stop() {
      running = false;
      const results = await settled;
      await Promise.all(pages.map((p) => p.context().close()));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      return { chartMs };
    },
  };
}
