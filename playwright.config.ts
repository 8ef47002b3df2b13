import { defineConfig, devices } from "@playwright/test";

// Debian's chromium-headless-shell (scripts/test.sh installs it), since `npx playwright install`
// cannot download here (shared/STACK-NOTES.md): the old headless Chromium, the build Playwright's
// own headless runs use. The full browser (/usr/bin/chromium, new headless) drew the same pages
// with 75 % more CPU: history + live-dashboard + preferences, 18 tests, back to back at load ~10:
// Chromium 196.5 → 112.5 s CPU, 2.9 → 1.5 min; the browsers were ~3/4 of the suite's CPU. The
// whole suite on main's build: 12.6 min (load 9-11) in the full browser, 7.6 min (load 4-6) here.
// HEARTH_E2E_CHROMIUM=/usr/bin/chromium runs the full browser (headed runs need it).
// Each spec starts its own hub on ports it picks, in its own data directory, so two spec
// files can run at once: on two cores the suite spends much of its time waiting (a hub
// starting, a page connecting, a device's timeout), and two workers fill that time. A file's
// tests still run in order, in one worker.
//   ui-home: charts, phone and wall share one demo hub per worker (e2e/ui-home.ts); one
//   worker for them keeps it one hub.
const UI_HOME = /\/(charts|phone|wall)\.spec\.ts$/;
// The headless shell has no Notification a page can raise (alerts.spec:181 saw none, twice):
// alerts.spec runs in the full browser.
const FULL_BROWSER = /\/alerts\.spec\.ts$/;

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export default defineConfig({
  testDir: "e2e",
  // The hub runs from its bundle (scripts/build-hub.ts): rebuilt once per run, so it is never stale.
  globalSetup: "./e2e/global-setup.ts",
  workers: 2,
  fullyParallel: false,
  // ui-home first: its files start at once in one worker while the other works through the rest.
  projects: [
    { name: "ui-home", testMatch: UI_HOME, workers: 1 },
    {
      name: "full-browser",
      testMatch: FULL_BROWSER,
      use: { launchOptions: { executablePath: process.env.HEARTH_E2E_CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS } },
    },
    { name: "hub", testIgnore: [UI_HOME, FULL_BROWSER] },
  ],
  // One retry: on two shared cores a test that fails once and passes on its retry is reported
  // as "flaky" by name at the end of the run, and is a finding to chase (the last two were real
  // faults: the service worker's stand-in page, a page clock set behind real time), but it does
  // not throw away everything else the run proved. A test that fails twice fails the run.
  retries: 1,
  // Allowances for a condition to come true, not budgets (speed is the bench's business):
  // with two workers on two cores a page may wait for the other worker's burst of work
  // (5 s failed at load 11-15; a test of many page loads took 66 s).
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  forbidOnly: !!process.env.CI,
  use: {
    ...devices["Desktop Chrome"],
    // The suite's words are English; Chromium would otherwise take the CI machine's LANG, and the
    // hub answers in the Accept-Language it sends (review-12 F9). Korean tests ask for ko-KR.
    locale: "en-US",
    // A test that failed once is run again with a trace (every action, the DOM at each, network,
    // console); its first run keeps a screenshot of the end, and the log of its hubs (e2e/hub-log.ts).
    // Recording a trace of every test cost 11-12 % of the browser tests' CPU on two cores, for
    // traces of passing tests thrown away (live-dashboard + history, two pairs in both orders:
    // 94.3 → 83.5 s CPU and 104.7 → 91.8 s; wall 161 → 145 s and 188 → 163 s).
    // The trace's screencast is off: it encodes a frame at every paint of every page.
    trace: { mode: "on-first-retry", screenshots: false },
    screenshot: "only-on-failure",
    // Playwright's default is "allow": every test's context registered public/sw.js on its first
    // signed-in page, and a page opened again behind a slow hub (the first render after a
    // restart) came from the worker's cache — a stale list, or one that already showed what the
    // test waits for the hub to do (review-12 F3). Only the tests of the worker ask for it
    // (pwa.spec's openControlledPage, phone.spec): contexts from browser.newContext() take these
    // options too, unless they pass their own.
    serviceWorkers: "block",
    launchOptions: {
      executablePath: process.env.HEARTH_E2E_CHROMIUM ?? "/usr/bin/chromium-headless-shell",
      args: CHROMIUM_ARGS,
    },
  },
});
