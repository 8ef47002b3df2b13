// Issue 14 on the two-thread hub: a hub started with HEARTH_DATABASE_URL records into
// PostgreSQL and its dashboard (the web thread, with a pool of its own) serves charts and
// streamed raw exports from there, not from a SQLite file; while PostgreSQL is away the
// history routes answer 503 database-unreachable and every page says since when, and all
// serve again once it is back. Accounts and alert rules live there too: a rule and a
// device account made in the dashboard are still there after the hub restarts.
import { existsSync } from "node:fs";
import path from "node:path";
import { startTestPostgres, type TestPostgres } from "../lib/pg/test-postgres";
import { ADMIN, expect, test, TestHub } from "./hub";
import { connect, tryConnect } from "./mqtt-clients";

const TOPIC = "home/cellar/temperature";
const READINGS = 40;
const t0 = Date.now() - 60_000;

let db: TestPostgres;
let hub: TestHub;

test.beforeAll(async () => {
  db = await startTestPostgres();
  hub = await TestHub.start({ env: { HEARTH_DATABASE_URL: db.url } });
});
test.afterAll(async () => {
  await hub?.dispose();
  db?.stop();
});

test("history goes to PostgreSQL and the dashboard serves it from there, 503 while it is away", async ({ page, browser }) => {
  // QoS 1: the hub acknowledges a reading once its row has committed.
  const device = await connect(hub.mqttUrl);
  for (let i = 0; i < READINGS; i++) {
    await device.publishAsync(TOPIC, JSON.stringify({ value: 10 + i / 10, ts: t0 + i * 1000 }), { qos: 1 });
  }
  await device.endAsync();
  expect(existsSync(path.join(hub.dataDir, "history.sqlite"))).toBe(false);

  await hub.logIn(page, ADMIN);
  const range = `topic=${encodeURIComponent(TOPIC)}&from=${t0}&to=${t0 + READINGS * 1000}`;
  const raw = await page.request.get(`${hub.url}/api/history/raw?${range}&tz=UTC`);
  expect(raw.status()).toBe(200);
  const rows = (await raw.text()).trim().split("\r\n").slice(1);
  expect(rows).toHaveLength(READINGS);
  expect(rows[0].split(",").slice(1, 5)).toEqual([String(t0), TOPIC, "10", "°C"]);
  expect(rows.at(-1)!.split(",")[3]).toBe(String(10 + (READINGS - 1) / 10));

  const series = await page.request.get(`${hub.url}/api/history/series?${range}&points=1000`);
  expect(series.status()).toBe(200);
  expect((await series.json()).series[0].points).toHaveLength(READINGS);

  db.pause();
  const away = await page.request.get(`${hub.url}/api/history/raw?${range}&tz=UTC`);
  expect(away.status()).toBe(503);
  expect(await away.json()).toMatchObject({ error: { code: "database-unreachable" } });
  // The hub notices (one line with the code), and a page shows it; the signed-in person stays signed in.
  await expect.poll(() => hub.output, { timeout: 30_000 }).toMatch(/ERROR database: database unreachable; the hub keeps retrying code="database-unreachable"/);
  await page.goto(hub.url);
  await expect(page.getByTestId("database-down")).toContainText("Database unreachable since");
  // Signed out, the login page says so too, without naming the database (review 5, finding 8).
  const signedOut = await browser.newPage();
  const anonymous = await signedOut.request.get(`${hub.url}/api/database`);
  expect(anonymous.status()).toBe(200);
  expect(await anonymous.json()).toEqual({ status: { state: "down", since: expect.any(Number), code: "database-unreachable" } });
  await signedOut.goto(`${hub.url}/login`);
  await expect(signedOut.getByTestId("database-down")).toContainText("Database unreachable since");
  await expect(signedOut.getByTestId("database-down")).not.toHaveAttribute("title");

  db.resume();
  // The login page sees the outage end without a reload.
  await expect(signedOut.getByTestId("database-down")).toHaveCount(0, { timeout: 30_000 });
  await signedOut.close();
  await expect(async () => expect((await page.request.get(`${hub.url}/api/history/series?${range}`)).status()).toBe(200)).toPass();
  await expect.poll(() => hub.output, { timeout: 30_000 }).toMatch(/INFO database: database reachable again/);
  await page.reload();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected");
  await expect(page.getByTestId("database-down")).toHaveCount(0);
});

test("a rule and a device account made in the dashboard live in PostgreSQL and outlive a restart", async ({ page }) => {
  await hub.logIn(page, ADMIN);
  const rule = { id: "cellar-cold", name: "Cellar too cold", severity: "warning", kind: "threshold", filter: TOPIC, direction: "below", threshold: 2, clear: 3 };
  expect((await page.request.post(`${hub.url}/api/alerts/rules`, { data: rule })).status()).toBe(201);
  await page.goto(`${hub.url}/settings/devices`);
  await page.getByLabel("Name", { exact: true }).fill("cellar-sensor");
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByTestId("form-message")).toContainText("Created device account cellar-sensor");
  const password = (await page.getByTestId("secret").textContent())!;
  for (const file of ["accounts.sqlite", "alerts.sqlite"]) expect(existsSync(path.join(hub.dataDir, file)), file).toBe(false);

  await hub.stop();
  await hub.start();
  // The browser's session is in PostgreSQL too: no new login.
  await page.goto(`${hub.url}/alerts`);
  await expect(page.getByText("Cellar too cold")).toBeVisible();
  await page.goto(`${hub.url}/settings/devices`);
  await expect(page.locator('[data-device-account="cellar-sensor"]')).toBeVisible();
  const device = await connect(hub.mqttUrl, { username: "cellar-sensor", password });
  await device.publishAsync("home/cellar/humidity", "71", { qos: 1 });
  await device.endAsync();
});

test("logging out while PostgreSQL is away signs out, and the session does not come back with it", async ({ page }) => {
  await hub.open(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === "hearth_session")!;
  db.pause();
  // Review 5, finding 10: the row cannot be deleted now; the logout still works.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login(\?next=%2F)?$/);
  expect((await page.context().cookies()).some((c) => c.name === "hearth_session")).toBe(false);

  db.resume();
  // Once the hub finds the database again, the old cookie would find its row if the logout had not ended it.
  await expect(async () => expect((await (await page.request.get(`${hub.url}/api/database`)).json()).status.state).toBe("up")).toPass({ timeout: 30_000 });
  const reused = await page.request.get(`${hub.url}/api/topics`, { headers: { Cookie: `hearth_session=${cookie.value}` } });
  expect(reused.status()).toBe(401);
  const reuse = await tryConnect(`ws://127.0.0.1:${hub.port}/mqtt`, { wsOptions: { headers: { Cookie: `hearth_session=${cookie.value}`, Origin: hub.url } } });
  expect("error" in reuse).toBe(true);
});
