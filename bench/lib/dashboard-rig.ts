// The setup the browser sections share: a real hub, a dashboard open in Chromium on
// it, publishers connected, and one reading per topic already on the page, so every
// row exists before a clock runs.
import type { MqttClient } from "mqtt";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, openDashboard } from "./browser";
import { closeAll, connectMany } from "./mqtt-load";
import { startHub, type Server } from "./servers";

export type Rig = {
  hub: Server;
  browser: Browser;
  page: Page;
  publishers: MqttClient[];
  /** From the first reading published to every row on the page. */
  mountSeconds: number;
  dispose(): Promise<void>;
};

const PUBLISHERS = 10;

/** Waits until the page shows a row for every topic and no chart in view is still loading its history. */
export async function waitForRows(page: Page, prefix: string, count: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    ({ prefix, count }) =>
      document.querySelectorAll(`li[data-topic^="${prefix}"]`).length >= count &&
      [...document.querySelectorAll("[data-testid=chart-loading]")].every((el) => el.getBoundingClientRect().top > innerHeight),
    { prefix, count },
    { timeout: timeoutMs, polling: 250 },
  );
}

/** `topics` all start with `prefix` (e.g. "home/px-"), which tells their rows apart. */
export async function openRig(opts: {
  topics: readonly string[];
  prefix: string;
  tag: string;
  timeoutMs?: number;
  /** Fills the hub's fresh data directory before it starts (e2e/seed-history.ts). */
  prepare?: (dataDir: string) => void;
  /** More node flags for the hub (e.g. --inspect for a diagnostic). */
  nodeArgs?: string[];
  /** Pin the hub (every thread) to this core with taskset; the caller pins itself, and so the browser it starts, elsewhere. */
  hubCore?: number;
}): Promise<Rig> {
  const browser = await launchBrowser();
  let hub: Server | null = null;
  const publishers: MqttClient[] = [];
  const dispose = async () => {
    await closeAll(publishers);
    await browser.close().catch(() => {});
    await hub?.stop();
  };
  try {
    hub = await startHub({ prepare: opts.prepare, nodeArgs: opts.nodeArgs, core: opts.hubCore });
    const page = await openDashboard(browser, hub.httpUrl!);
    publishers.push(...(await connectMany(hub.mqttUrl, opts.tag, PUBLISHERS)));
    const t0 = performance.now();
    for (const [i, topic] of opts.topics.entries()) publishers[i % PUBLISHERS].publish(topic, "0");
    await waitForRows(page, opts.prefix, opts.topics.length, opts.timeoutMs ?? 120_000);
    return { hub, browser, page, publishers, mountSeconds: (performance.now() - t0) / 1000, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
