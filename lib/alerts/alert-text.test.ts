import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTranslator } from "../i18n/translate";
import { alertLineText, alertsApiErrorText, ruleProblemText, ruleSummaryText } from "./alert-text";
import { ruleErrors, ruleInputSchema } from "./rule";

const en = createTranslator("en");
const ko = createTranslator("ko");
const base = { name: "Nursery too hot", severity: "critical", kind: "threshold", filter: "home/nursery/temperature" };
const threshold = { ...base, direction: "above", threshold: 26, clear: 25 };

describe("ruleProblemText", () => {
  // The rule form shows these beside the field, as the admin types.
  const cases: [name: string, input: Record<string, unknown>, field: string, english: string, korean: string][] = [
    ["clear on the wrong side of above", { ...threshold, clear: 27 }, "clear",
      'must be below the threshold (26) for an "above" rule, or the alert would flap',
      "기준보다 높을 때 울리는 규칙에서는 기준값(26)보다 낮아야 합니다. 그렇지 않으면 알림이 오락가락합니다"],
    ["clear on the wrong side of below", { ...threshold, direction: "below", threshold: 5, clear: 4 }, "clear",
      'must be above the threshold (5) for a "below" rule, or the alert would flap',
      "기준보다 낮을 때 울리는 규칙에서는 기준값(5)보다 높아야 합니다. 그렇지 않으면 알림이 오락가락합니다"],
    ["# inside a filter", { ...threshold, filter: "home/#/x" }, "filter", "# must be the whole last level of a filter", "#는 필터의 마지막 단계 전체여야 합니다"],
    ["+ inside a level", { ...threshold, filter: "home/a+/x" }, "filter", "+ must fill a whole level of a filter", "+는 필터의 한 단계 전체를 차지해야 합니다"],
    ["a filter too deep", { ...threshold, filter: Array(40).fill("a").join("/") }, "filter", "topic has more than 32 levels", "토픽의 단계가 32개를 넘습니다"],
    ["no name", { ...threshold, name: "" }, "name", "is required", "필수 항목입니다"],
    ["a long name", { ...threshold, name: "x".repeat(81) }, "name", "must be at most 80 characters", "80자 이하여야 합니다"],
    ["no threshold", { ...threshold, threshold: undefined }, "threshold", "must be a number", "숫자여야 합니다"],
    ["a fractional hold", { ...threshold, forSeconds: 0.5 }, "forSeconds", "must be whole seconds", "초 단위 정수여야 합니다"],
    ["a silence too short", { ...base, kind: "silence", silentForSeconds: 5 }, "silentForSeconds", "must be at least 10 s", "10초 이상이어야 합니다"],
    ["a notification interval over a day", { ...threshold, notifyIntervalSeconds: 90_000 }, "notifyIntervalSeconds", "must be at most 86400 s", "86400초 이하여야 합니다"],
    ["an unknown severity", { ...threshold, severity: "meh" }, "severity", "must be one of info, warning, critical", "info, warning, critical 중 하나여야 합니다"],
    ["an unknown field", { ...threshold, colour: "red" }, "form", "unknown field colour", "알 수 없는 필드: colour"],
  ];
  for (const [name, input, field, english, korean] of cases) {
    it(name, () => {
      const problem = ruleErrors(input)[field];
      assert.ok(problem, `no problem with ${field}`);
      assert.equal(ruleProblemText(en, problem), english);
      assert.equal(ruleProblemText(ko, problem), korean);
    });
  }

  it("words every problem the API also reports in English exactly as the API does", () => {
    for (const [, input, field] of cases) {
      const problem = ruleErrors(input)[field];
      if (problem.code === "not-one-of" || problem.code === "unknown-fields") continue; // zod's own wording
      assert.equal(ruleProblemText(en, problem), problem.message, field);
    }
  });
});

describe("ruleSummaryText", () => {
  const cases: [input: Record<string, unknown>, english: string, korean: string][] = [
    [threshold, "above 26 (clears below 25)", "26 초과 (25 미만이면 해제)"],
    [{ ...threshold, forSeconds: 300 }, "above 26 for 300 s (clears below 25)", "300초 동안 26 초과 (25 미만이면 해제)"],
    [{ ...threshold, direction: "below", threshold: 5, clear: 7 }, "below 5 (clears above 7)", "5 미만 (7 초과면 해제)"],
    [{ ...threshold, direction: "below", threshold: 5, clear: 7, forSeconds: 60 }, "below 5 for 60 s (clears above 7)", "60초 동안 5 미만 (7 초과면 해제)"],
    [{ ...base, kind: "silence", silentForSeconds: 600 }, "silent for 600 s, or offline", "600초 동안 조용하거나 오프라인"],
  ];
  for (const [input, english, korean] of cases) {
    it(english, () => {
      const rule = ruleInputSchema.parse(input);
      assert.equal(ruleSummaryText(en, rule), english);
      assert.equal(ruleSummaryText(ko, rule), korean);
    });
  }
});

describe("alertLineText", () => {
  const cases: [alert: { topic: string; reason: "threshold" | "silent" | "offline" | null; value: number | null }, english: string, korean: string][] = [
    [{ topic: "home/nursery/temperature", reason: "threshold", value: 27.5 }, "Nursery temperature: 27.5 °C", "Nursery 온도: 27.5 °C"],
    [{ topic: "home/office/energy", reason: "threshold", value: 12345.5 }, "Office energy: 12,345.5 kWh", "Office 전력량: 12,345.5 kWh"],
    [{ topic: "home/porch/sensor/availability", reason: "offline", value: null }, "Porch sensor availability: device offline", "Porch sensor 연결 상태: 기기 오프라인"],
    [{ topic: "home/attic/humidity", reason: "silent", value: 48 }, "Attic humidity: no messages", "Attic 습도: 메시지 없음"],
    [{ topic: "zigbee2mqtt/bridge", reason: null, value: null }, "zigbee2mqtt/bridge", "zigbee2mqtt/bridge"],
  ];
  for (const [alert, english, korean] of cases) {
    it(english, () => {
      assert.equal(alertLineText(en, "en", alert), english);
      assert.equal(alertLineText(ko, "ko", alert), korean);
    });
  }
});

describe("alertsApiErrorText", () => {
  const cases: [error: { code: string; status: number | null }, english: string, korean: string][] = [
    [{ code: "network", status: null }, "The hub could not be reached. Is it running?", "허브에 연결할 수 없습니다. 허브가 실행 중인가요?"],
    [{ code: "alert-not-found", status: 404 }, "This alert is no longer active.", "이 알림은 더 이상 활성 상태가 아닙니다."],
    [{ code: "forbidden", status: 403 }, "Your role does not allow this.", "현재 역할로는 할 수 없는 작업입니다."],
    // A code this page does not know (a newer hub), and an answer with no JSON at all.
    [{ code: "quota-exceeded", status: 429 }, "The hub answered HTTP 429.", "허브가 HTTP 429(으)로 응답했습니다."],
    [{ code: "http-502", status: 502 }, "The hub answered HTTP 502.", "허브가 HTTP 502(으)로 응답했습니다."],
    [{ code: "toString", status: 500 }, "The hub answered HTTP 500.", "허브가 HTTP 500(으)로 응답했습니다."],
  ];
  for (const [error, english, korean] of cases) {
    it(error.code, () => {
      assert.equal(alertsApiErrorText(en, error), english);
      assert.equal(alertsApiErrorText(ko, error), korean);
    });
  }
});
