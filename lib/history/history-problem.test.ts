import { test } from "node:test";
import assert from "node:assert/strict";
import { createTranslator } from "../i18n/translate";
import { historyProblemText, refusal, type HistoryProblem } from "./history-problem";

test("history problems are worded in the page's language; the hub's own refusal is shown as it came", () => {
  const cases: [HistoryProblem, string, string][] = [
    [{ code: "no-answer" }, "the hub did not answer", "허브가 응답하지 않았습니다"],
    [{ code: "bad-answer" }, "the hub's answer was not a history series", "허브의 응답이 기록 데이터가 아닙니다"],
    [refusal({ error: { code: "bad-range", message: "from must be before to" } }, 400), "from must be before to", "from must be before to"],
    [refusal({}, 503), "HTTP 503", "HTTP 503"],
    [refusal(null, 500), "HTTP 500", "HTTP 500"],
  ];
  for (const [problem, en, ko] of cases) {
    assert.equal(historyProblemText(createTranslator("en"), problem), en);
    assert.equal(historyProblemText(createTranslator("ko"), problem), ko);
  }
});
