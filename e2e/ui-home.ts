// One hub for the dashboard specs of issue 15 (charts, wall, phone): the demo home
// (six rooms with live sensors, switches and a discovered plug) plus an attic with an
// alert rule, a week of living-room temperatures back-filled, and a folder for the
// screenshots a person looks at. Worker-scoped, so every spec file run in the same
// worker shares it instead of starting its own (playwright.config.ts gives them one worker).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import mqtt from "mqtt";
import { TestHub, test as base } from "./hub";

/** Screenshots for a person to look at: gitignored with the rest of test-results/. */
export const SHOTS = path.resolve(import.meta.dirname, "../test-results/screens");

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const RULES = [
  { id: "attic-hot", name: "Attic too hot", severity: "critical", kind: "threshold", filter: "home/attic/temperature", direction: "above", threshold: 30, clear: 28 },
  { id: "attic-damp", name: "Attic damp", severity: "warning", kind: "threshold", filter: "home/attic/humidity", direction: "above", threshold: 80, clear: 75 },
];

export type DemoHome = { hub: TestHub; publish(topic: string, value: string): Promise<void> };

/** A week of readings every 15 minutes with their own `ts`, as a device catching up would. */
async function backfillWeek(client: mqtt.MqttClient, topic: string, now: number): Promise<void> {
  const payloads: string[] = [];
  for (let ago = 7 * DAY; ago >= 15 * MINUTE; ago -= 15 * MINUTE) {
    const value = 21 + 1.5 * Math.sin((2 * Math.PI * (now - ago)) / DAY);
    payloads.push(JSON.stringify({ value: Math.round(value * 10) / 10, ts: now - ago }));
  }
  for (let i = 0; i < payloads.length; i += 200) {
    await Promise.all(payloads.slice(i, i + 200).map((p) => client.publishAsync(topic, p, { qos: 1 })));
  }
}

export const test = base.extend<object, { demo: DemoHome }>({
  demo: [
    async ({}, use) => {
      const configDir = mkdtempSync(path.join(tmpdir(), "hearth-ui-"));
      const configFile = path.join(configDir, "hearth.config.json");
      writeFileSync(configFile, JSON.stringify({ alerts: { rules: RULES } }));
      mkdirSync(SHOTS, { recursive: true });
      // The back-fill goes far past the per-client publish limit a live device is held to.
      const hub = await TestHub.start({ simulator: true, env: { HEARTH_CONFIG: configFile, HEARTH_MQTT_MAX_PUBLISH_RATE: "1000000" } });
      // The first page a fresh hub serves is slow on a busy machine; warm it before any test's clock runs.
      await fetch(new URL("/login", hub.url));
      const client = await mqtt.connectAsync(hub.mqttUrl, { clientId: "e2e-ui-home" });
      try {
        await backfillWeek(client, "home/living_room/temperature", Date.now());
        const publish = async (topic: string, value: string) => void (await client.publishAsync(topic, value, { qos: 1 }));
        await publish("home/attic/temperature", "31.5");
        await publish("home/attic/humidity", "62");
        await use({ hub, publish });
      } finally {
        await client.endAsync();
        await hub.dispose();
        rmSync(configDir, { recursive: true, force: true });
      }
    },
    { scope: "worker" },
  ],
});

export { expect } from "./hub";

/** Saves a screenshot of what a person sees under test-results/screens/<name>.png. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}
