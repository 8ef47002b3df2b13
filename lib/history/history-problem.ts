// Why a chart has no history to show, as data: the charts word it in the page's
// language (the hub's own refusal arrives already worded, in English, from its API).
import type { Translate } from "../i18n/translate";

export type HistoryProblem =
  | { code: "no-answer" }
  | { code: "bad-answer" }
  | { code: "refused"; /** The API's error message, or the HTTP status. */ message: string };

/** The refusal in a history API answer that was not ok: its error message, else the status. */
export function refusal(body: unknown, status: number): HistoryProblem {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return { code: "refused", message: typeof message === "string" ? message : `HTTP ${status}` };
}

export function historyProblemText(t: Translate, problem: HistoryProblem): string {
  switch (problem.code) {
    case "no-answer":
      return t("chart.noAnswer");
    case "bad-answer":
      return t("chart.badAnswer");
    case "refused":
      return problem.message;
  }
}
