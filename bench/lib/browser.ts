// Debian's Chromium, launched the way the e2e tests launch it (the same options,
// read from playwright.config.ts), for the sections that measure the dashboard.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import config from "../../playwright.config";
import { BENCH_ADMIN } from "./servers";

/**
 * `nice`: meant to make every process of this Chromium (browser, renderers, GPU) take
 * only what the hub and the measured page leave — as other people's phones and laptops,
 * which in a home are other machines, would. **It does not** (issue 13, fourth pass):
 * Chromium sets each of its threads' niceness itself, to absolute values (as root it
 * may go below 0), so under `nice -n 19` its browser and GPU threads ran at -8 and its
 * renderers at 0 and 5, above or beside the hub. `idle: true` (BENCH_CHART_SCHED=idle)
 * starts it under SCHED_IDLE instead (`chrt --idle 0`), which Chromium's niceness calls
 * leave in place, so the niceness the README describes finally holds. Not the default:
 * whether the section keeps its de facto setting is the lead's call (bench/README.md).
 */
export async function launchBrowser(opts: { nice?: number; idle?: boolean } = {}): Promise<Browser> {
  const launchOptions = config.use?.launchOptions ?? {};
  if (!opts.nice && !opts.idle) return chromium.launch({ ...launchOptions, headless: true });
  const wrapper = path.join(mkdtempSync(path.join(tmpdir(), "hearth-bench-nice-")), "chromium");
  const idle = opts.idle ? "chrt --idle 0 " : "";
  writeFileSync(wrapper, `#!/bin/sh\nexec ${idle}nice -n ${opts.nice ?? 19} ${launchOptions.executablePath ?? "chromium"} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return chromium.launch({ ...launchOptions, executablePath: wrapper, headless: true });
}

const CONNECT_TIMEOUT_MS = 30_000;

/** Opens the dashboard and waits for its own MQTT connection: QoS 0 sent before it subscribed is lost. */
export async function openDashboard(browser: Browser, url: string, initScript?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: config.use?.viewport ?? { width: 1280, height: 720 } });
  // Experiments only (tools/): code run in the page before its own.
  if (initScript) await page.addInitScript(initScript);
  await page.goto(new URL("/login", url).href);
  await page.locator('input[name="username"]').fill(BENCH_ADMIN.username);
  await page.locator('input[name="password"]').fill(BENCH_ADMIN.password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: CONNECT_TIMEOUT_MS });
  await page.goto(url);
  await page.waitForSelector('[data-testid=connection][data-status=connected]', { timeout: CONNECT_TIMEOUT_MS });
  return page;
}
