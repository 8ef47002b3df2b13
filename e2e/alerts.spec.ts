// Alerts end to end (issue 4): an admin makes a rule in a real browser, a real
// MQTT client publishes past it, and what another person's browser shows, what
// `mosquitto_sub` sees, and what survives a hub restart is checked from outside.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Page } from "@playwright/test";
import { expect, test, TestHub } from "./hub";

const run = promisify(execFile);

const publish = (hub: TestHub, topic: string, value: string) =>
  run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-t", topic, "-m", value]);

/** The first retained alert state `mosquitto_sub` receives under `filter`: its topic and JSON. */
async function retainedAlert(hub: TestHub, filter: string): Promise<{ topic: string; state: Record<string, unknown> }> {
  // -C 1: the first message, which for a fresh subscriber is the retained one; -W bounds the wait.
  const { stdout } = await run("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-t", filter, "-v", "-C", "1", "-W", "10"]);
  const line = stdout.trim();
  const space = line.indexOf(" ");
  return { topic: line.slice(0, space), state: JSON.parse(line.slice(space + 1)) };
}

const tile = (page: Page, room: string, topic: string) => page.getByTestId(`room-${room}`).locator(`li[data-topic="${topic}"]`);

test.describe("rules made in the browser", () => {
  let hub: TestHub;
  test.beforeAll(async () => {
    hub = await TestHub.start();
  });
  test.afterAll(async () => {
    await hub?.dispose();
  });

  test("an admin's new rule fires in another browser's banner, never flaps inside the band, and resolves past the clear threshold", async ({ browser }) => {
    const admin = await (await browser.newContext()).newPage();
    const adminErrors = await hub.open(admin, "/alerts");
    await expect(admin.getByTestId("no-rules")).toBeVisible();
    await expect(admin.getByTestId("no-active-alerts")).toBeVisible();

    await admin.getByRole("button", { name: "New rule" }).click();
    const form = admin.getByTestId("rule-form");
    await form.getByLabel("Name").fill("Nursery too hot");
    await form.getByLabel("Topic filter").fill("home/nursery/#/x");
    await expect(form.getByTestId("error-filter")).toContainText("# must be the whole last level");
    await form.getByLabel("Topic filter").fill("home/nursery/temperature");
    await expect(form.getByTestId("error-filter")).toHaveCount(0);
    // The threshold says its unit, here the one a temperature is in.
    await expect(form.getByTestId("unit-threshold")).toHaveText("°C");
    await expect(form.getByTestId("unit-clear")).toHaveText("°C");
    await form.getByLabel("Severity").selectOption("critical");
    await form.getByLabel("Threshold", { exact: true }).fill("26");
    // The wrong side of the threshold is an error as it is typed, not a rule that flaps.
    await form.getByLabel("Clear threshold").fill("27");
    await expect(form.getByTestId("error-clear")).toContainText("must be below the threshold (26)");
    await form.getByRole("button", { name: "Create rule" }).click();
    await expect(form.getByRole("button", { name: "Create rule" })).toBeDisabled();
    await form.getByLabel("Clear threshold").fill("25");
    await expect(form.getByTestId("error-clear")).toHaveCount(0);
    await form.getByRole("button", { name: "Create rule" }).click();
    const rule = admin.getByTestId("rule-nursery-too-hot");
    await expect(rule).toContainText("Nursery too hot");
    await expect(rule).toContainText("above 26 (clears below 25)");

    // Someone else, on the dashboard, in another browser context.
    const viewer = await (await browser.newContext()).newPage();
    const viewerErrors = await hub.open(viewer, "/");
    await publish(hub, "home/nursery/temperature", "24");
    await expect(tile(viewer, "nursery", "home/nursery/temperature")).toContainText("24");
    await expect(viewer.getByTestId("alert-banner")).toHaveCount(0);

    await publish(hub, "home/nursery/temperature", "27.5");
    const banner = viewer.getByTestId("alert-banner");
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute("data-severity", "critical");
    await expect(banner).toContainText("Nursery too hot");
    await expect(banner).toContainText("Nursery temperature: 27.5");
    await expect(tile(viewer, "nursery", "home/nursery/temperature")).toHaveAttribute("data-alert", "critical");

    // Any MQTT client sees the same truth, retained.
    const retained = await retainedAlert(hub, "hearth/alerts/#");
    expect(retained.topic).toBe("hearth/alerts/nursery-too-hot/home%2Fnursery%2Ftemperature");
    expect(retained.state).toMatchObject({ ruleId: "nursery-too-hot", status: "firing", severity: "critical", value: 27.5, attention: true });

    // Inside the hysteresis band it stays firing: the tile shows the new value and the banner stays.
    await publish(hub, "home/nursery/temperature", "25.5");
    await expect(tile(viewer, "nursery", "home/nursery/temperature")).toContainText("25.5");
    await expect(banner).toBeVisible();
    await expect(tile(viewer, "nursery", "home/nursery/temperature")).toHaveAttribute("data-alert", "critical");

    await publish(hub, "home/nursery/temperature", "24.5");
    await expect(banner).toHaveCount(0);
    await expect(tile(viewer, "nursery", "home/nursery/temperature")).not.toHaveAttribute("data-alert", /.*/);
    await expect(admin.getByTestId("no-active-alerts")).toBeVisible();
    const history = admin.getByTestId("alert-history");
    await expect(history.locator("li")).toHaveCount(2);
    await expect(history.locator("li").nth(0)).toHaveAttribute("data-kind", "resolved");
    await expect(history.locator("li").nth(1)).toHaveAttribute("data-kind", "fired");
    await expect(history.locator("li").nth(1)).toContainText("at 27.5");
    expect((await retainedAlert(hub, "hearth/alerts/#")).state).toMatchObject({ status: "resolved", attention: false });

    // A dry run says what an edit would do with the current values; saved, it fires on them at once.
    await rule.getByRole("button", { name: "Edit" }).click();
    const editForm = admin.getByTestId("rule-form");
    // The topic field suggests the topics the hub knows, and the filter over every room.
    const suggestions = editForm.locator("datalist option");
    await expect(suggestions.first()).toHaveAttribute("value", "home/+/temperature");
    expect(await suggestions.evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toContain("home/nursery/temperature");
    await editForm.getByLabel("Threshold", { exact: true }).fill("24");
    await editForm.getByLabel("Clear threshold").fill("23");
    await editForm.getByRole("button", { name: "Test against current values" }).click();
    await expect(editForm.getByTestId("rule-test-result").locator('li[data-topic="home/nursery/temperature"]')).toHaveAttribute("data-status", "firing");
    await editForm.getByRole("button", { name: "Save rule" }).click();
    await expect(rule).toContainText("above 24 (clears below 23)");
    await expect(banner).toContainText("Nursery temperature: 24.5");

    // Deleting the rule clears its retained state, and with it the banner everywhere.
    await rule.getByRole("button", { name: "Delete" }).click();
    await rule.getByRole("button", { name: "Confirm delete" }).click();
    await expect(admin.getByTestId("no-rules")).toBeVisible();
    await expect(banner).toHaveCount(0);
    await expect(tile(viewer, "nursery", "home/nursery/temperature")).not.toHaveAttribute("data-alert", /.*/);

    expect(adminErrors).toEqual([]);
    expect(viewerErrors).toEqual([]);
    await expect.poll(() => hub.output).toMatch(/WARN alerts: alert fired \(critical\) rule="nursery-too-hot" topic="home\/nursery\/temperature" value=27.5/);
  });

  test("the alerts API refuses bad input with a stable code and a log line", async ({ page, browser, request: anonymous }) => {
    const rules = `${hub.url}/api/alerts/rules`;
    const rule = { id: "bad-co2", name: "Bad CO₂", severity: "warning", kind: "threshold", filter: "home/+/co2", direction: "above", threshold: 1500, clear: 1200 };
    // Without a session nothing changes; a viewer is told which role it takes.
    expect((await anonymous.post(rules, { data: rule })).status()).toBe(401);
    const viewerPage = await (await browser.newContext()).newPage();
    await hub.open(viewerPage, "/alerts", { as: await hub.createUser("vince", "viewer") });
    const asViewer = await viewerPage.request.post(rules, { data: rule });
    expect(asViewer.status()).toBe(403);
    expect(await asViewer.json()).toMatchObject({ error: { code: "forbidden" } });
    await viewerPage.context().close();

    await hub.open(page, "/alerts");
    const request = page.request;
    const flapping = await request.post(rules, { data: { ...rule, clear: 1600 } });
    expect(flapping.status()).toBe(400);
    expect(await flapping.json()).toMatchObject({ error: { code: "bad-request", fields: { clear: expect.stringMatching(/below the threshold \(1500\)/) } } });
    expect((await request.post(rules, { data: "{not json", headers: { "content-type": "application/json" } })).status()).toBe(400);
    // A page on another port of the hub's host is the same site: the cookie goes along, so the
    // origin is what refuses it (review-8 F5). And no-cors text/plain, which needs no preflight, is not JSON here.
    const elsewhere = new URL(hub.url);
    elsewhere.port = String(Number(elsewhere.port) + 1);
    const planted = await request.post(rules, { data: rule, headers: { origin: elsewhere.origin } });
    expect(planted.status()).toBe(403);
    expect(await planted.json()).toMatchObject({ error: { code: "cross-origin" } });
    const plain = await request.post(rules, { data: JSON.stringify(rule), headers: { "content-type": "text/plain" } });
    expect(plain.status()).toBe(415);
    expect(await plain.json()).toMatchObject({ error: { code: "unsupported-media-type" } });

    expect((await request.post(rules, { data: rule })).status()).toBe(201);
    const again = await request.post(rules, { data: rule });
    expect(again.status()).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: "rule-id-taken" } });
    const edit = await request.put(`${rules}/nope`, { data: rule });
    expect(await edit.json()).toMatchObject({ error: { code: "rule-not-found" } });
    expect(edit.status()).toBe(404);

    const ack = await request.post(`${hub.url}/api/alerts/ack`, { data: { ruleId: "bad-co2", topic: "home/office/co2" } });
    expect(ack.status()).toBe(404);
    expect(await ack.json()).toMatchObject({ error: { code: "alert-not-found" } });
    const snooze = await request.post(`${hub.url}/api/alerts/snooze`, { data: { ruleId: "bad-co2", topic: "home/office/co2", minutes: 0 } });
    expect(await snooze.json()).toMatchObject({ error: { code: "bad-request", message: "minutes: must be at least 1" } });
    expect((await request.get(`${hub.url}/api/alerts/history?limit=0`)).status()).toBe(400);

    expect((await request.delete(`${rules}/bad-co2`, { headers: { origin: "https://evil.example" } })).status()).toBe(403);
    expect((await request.delete(`${rules}/bad-co2`)).status()).toBe(200);
    await expect.poll(() => hub.output).toMatch(/WARN api\/alerts: refused a request code="rule-id-taken" status=409/);
    await expect.poll(() => hub.output).toMatch(/WARN api: refused a request code="cross-origin" method="DELETE" path="\/api\/alerts\/rules\/bad-co2" origin="https:\/\/evil.example"/);
  });

  test("a device that opted in gets a notification and a chime for a critical firing, and the rule's rate limit holds back the next", async ({ browser }) => {
    const context = await browser.newContext();
    await context.grantPermissions(["notifications"], { origin: hub.url });
    // Records what the page asks of the real Notification and WebAudio, then lets them run.
    await context.addInitScript(() => {
      const w = window as unknown as { __notes: string[]; __tones: number; Notification: typeof Notification };
      w.__notes = [];
      w.__tones = 0;
      const Real = window.Notification;
      class Recording extends Real {
        constructor(title: string, options?: NotificationOptions) {
          w.__notes.push(title);
          super(title, options);
        }
        static get permission() {
          return Real.permission;
        }
        static requestPermission = Real.requestPermission.bind(Real);
      }
      w.Notification = Recording;
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) {
        w.__tones++;
        return start.apply(this, args);
      };
    });
    const page = await context.newPage();
    const rule = { id: "co2-high", name: "CO₂ high", severity: "critical", kind: "threshold", filter: "home/+/co2", direction: "above", threshold: 1500, clear: 1200 };
    // Signed in first: the API takes the page's session.
    const errors = await hub.open(page, "/alerts");
    const request = page.request;
    expect((await request.post(`${hub.url}/api/alerts/rules`, { data: rule })).status()).toBe(201);
    await page.reload();
    await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected");
    await page.getByLabel("Browser notifications").check();
    await page.getByLabel("Sound for critical alerts").check();
    const tones = () => page.evaluate(() => (window as unknown as { __tones: number }).__tones);
    const notes = () => page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
    await expect.poll(tones).toBe(3); // the chime played once as the setting was turned on

    await publish(hub, "home/office/co2", "1620");
    await expect.poll(notes).toEqual(["Critical: CO₂ high"]);
    await expect.poll(tones).toBe(6);

    await publish(hub, "home/lounge/co2", "1700");
    await expect(page.getByTestId("alert-banner").getByTestId("alert-banner-item")).toHaveCount(2);
    await expect(page.getByTestId("alert-history").locator('li[data-kind="fired"][data-topic="home/lounge/co2"]')).toContainText("not notified");
    expect(await notes()).toEqual(["Critical: CO₂ high"]);
    expect(await tones()).toBe(6);

    expect((await request.delete(`${hub.url}/api/alerts/rules/co2-high`)).status()).toBe(200);
    await expect(page.getByTestId("alert-banner")).toHaveCount(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  // On the same hub: every rule the tests above made is gone again.
  test("an admin whose browser is Korean reads the rule form's errors, the rules and why an alert fires in Korean", async ({ browser }) => {
    const context = await browser.newContext({ locale: "ko-KR" });
    const page = await context.newPage();
    const errors = await hub.open(page, "/alerts");

    await page.getByRole("button", { name: "새 규칙" }).click();
    const form = page.getByTestId("rule-form");
    await form.getByLabel("이름").fill("서재 과열");
    await form.getByLabel("토픽 필터").fill("home/study/#/x");
    await expect(form.getByTestId("error-filter")).toHaveText("#는 필터의 마지막 단계 전체여야 합니다");
    await form.getByLabel("토픽 필터").fill("home/study/temperature");
    await form.getByLabel("기준값", { exact: true }).fill("30");
    await form.getByLabel("해제 기준값").fill("31");
    await expect(form.getByTestId("error-clear")).toContainText("기준값(30)보다 낮아야 합니다");
    await form.getByLabel("해제 기준값").fill("28");
    await form.getByLabel("유지 시간(초)").fill("1.5");
    await expect(form.getByTestId("error-forSeconds")).toHaveText("초 단위 정수여야 합니다");
    await form.getByLabel("유지 시간(초)").fill("0");
    await form.getByRole("button", { name: "규칙 만들기" }).click();
    // A rule is listed by the id made from its name; these names have no Latin letters to make one from.
    const threshold = page.locator('[data-testid^="rule-"][data-enabled]').filter({ hasText: "서재 과열" });
    await expect(threshold).toContainText("30 초과 (28 미만이면 해제)");

    await page.getByRole("button", { name: "새 규칙" }).click();
    await form.getByLabel("이름").fill("히터 연결 끊김");
    await form.getByLabel("토픽 필터").fill("home/study/heater/availability");
    await form.getByLabel("발생 조건").selectOption("silence");
    await form.getByLabel("무응답 시간(초)").fill("600");
    await form.getByRole("button", { name: "규칙 만들기" }).click();
    const silence = page.locator('[data-testid^="rule-"][data-enabled]').filter({ hasText: "히터 연결 끊김" });
    await expect(silence).toContainText("600초 동안 조용하거나 오프라인");

    // Why each fires, in the banner and the list: a value as it is, an offline device in Korean.
    await publish(hub, "home/study/temperature", "31.5");
    await publish(hub, "home/study/heater/availability", "offline");
    const banner = page.getByTestId("alert-banner");
    // Measurement names in Korean too (lib/i18n/measurements.ts); the room and device keep the home's words.
    await expect(banner).toContainText("Study 온도: 31.5");
    await expect(banner).toContainText("Study heater 연결 상태: 기기 오프라인");
    await expect(page.locator('[data-testid=alert-row][data-topic="home/study/heater/availability"]')).toContainText("기기 오프라인");
    expect(errors).toEqual([]);
    await context.close();
  });
});

test.describe("rules seeded from the config file", () => {
  let hub: TestHub;
  let configDir: string;
  test.beforeAll(async () => {
    configDir = mkdtempSync(path.join(tmpdir(), "hearth-e2e-config-"));
    const configFile = path.join(configDir, "hearth.config.json");
    const rule = { id: "too-hot", name: "Too hot", severity: "warning", kind: "threshold", filter: "home/+/temperature", direction: "above", threshold: 30, clear: 28 };
    writeFileSync(configFile, JSON.stringify({ alerts: { rules: [rule] } }));
    hub = await TestHub.start({ env: { HEARTH_CONFIG: configFile } });
  });
  test.afterAll(async () => {
    await hub?.dispose();
    rmSync(configDir, { recursive: true, force: true });
  });

  test("a firing alert survives a hub restart, and acknowledge and snooze quiet the banner but keep the alert listed", async ({ page }) => {
    await hub.open(page, "/alerts");
    await expect(page.getByTestId("rule-too-hot")).toContainText("above 30 (clears below 28)");
    await publish(hub, "home/attic/temperature", "31.5");
    await expect(page.getByTestId("alert-banner")).toHaveAttribute("data-severity", "warning");

    await hub.stop();
    await hub.start();
    const errors = await hub.open(page, "/alerts");
    await expect(page.getByTestId("alert-banner")).toContainText("Too hot");
    const attic = page.locator('[data-testid=alert-row][data-topic="home/attic/temperature"]');
    await expect(attic).toHaveAttribute("data-status", "firing");
    expect((await retainedAlert(hub, "hearth/alerts/too-hot/+")).state).toMatchObject({ status: "firing", value: 31.5 });

    await attic.getByRole("button", { name: "Acknowledge" }).click();
    await expect(attic).toHaveAttribute("data-acknowledged", "true");
    await expect(attic).toContainText("Acknowledged");
    await expect(page.getByTestId("alert-banner")).toHaveCount(0);

    // A second room past the same rule asks for attention on its own.
    await publish(hub, "home/study/temperature", "33");
    const study = page.locator('[data-testid=alert-row][data-topic="home/study/temperature"]');
    await expect(page.getByTestId("alert-banner")).toContainText("Study temperature: 33");
    await study.getByLabel("Snooze for").selectOption("15");
    await study.getByRole("button", { name: "Snooze" }).click();
    await expect(study).toHaveAttribute("data-snoozed", "true");
    await expect(study).toContainText("Snoozed until");
    await expect(page.getByTestId("alert-banner")).toHaveCount(0);

    const history = page.getByTestId("alert-history").locator("li");
    await expect(history).toHaveCount(4);
    // Read until it reads so: a single read right after the count can catch the list mid-update.
    await expect.poll(() => history.evaluateAll((items) => items.map((li) => `${li.getAttribute("data-kind")} ${li.getAttribute("data-topic")}`))).toEqual([
      "snoozed home/study/temperature",
      "fired home/study/temperature",
      "acknowledged home/attic/temperature",
      "fired home/attic/temperature",
    ]);
    expect(errors).toEqual([]);
  });
});
