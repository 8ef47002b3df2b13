import { defineConfig, devices } from "@playwright/test";

// Debian's chromium, since `npx playwright install` cannot download here
// (shared/STACK-NOTES.md). Each spec starts its own hub on ports it picks.
export default defineConfig({
  testDir: "e2e",
  // The hub runs from its bundle (scripts/build-hub.ts): rebuilt once per run, so it is never stale.
  globalSetup: "./e2e/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 5_000 },
  reporter: [["list"]],
  forbidOnly: !!process.env.CI,
  use: {
    ...devices["Desktop Chrome"],
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
