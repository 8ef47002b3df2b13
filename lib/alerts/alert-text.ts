// Alert text in the interface language, worded at the edge from the codes and
// parameters lib/alerts returns: a rule's one-line summary, a field's problem in
// the rule form, and why an alert fires. Logs and the API keep their English.
import type { MessageKey } from "../i18n/en";
import type { Locale, Translate } from "../i18n/translate";
import { formatReading } from "../format";
import { inferUnit } from "../readings";
import { parseHomeTopic } from "../topics";
import { topicProblemText } from "../topic-problem-text";
import type { ApiError } from "./client";
import { ruleSummary, type RuleInput, type RuleProblem } from "./rule";
import { topicLabel, type AlertView } from "./view";

/** "above 26 for 300 s (clears below 25)" / "300초 동안 26 초과 (25 미만이면 해제)". */
export function ruleSummaryText(t: Translate, rule: RuleInput): string {
  const summary = ruleSummary(rule);
  if (summary.code === "silence") return t("ruleSummary.silence", { seconds: summary.seconds });
  const vars = { threshold: summary.threshold, clear: summary.clear, seconds: summary.holdSeconds };
  if (summary.holdSeconds > 0) return t(summary.code === "above" ? "ruleSummary.aboveFor" : "ruleSummary.belowFor", vars);
  return t(summary.code === "above" ? "ruleSummary.above" : "ruleSummary.below", vars);
}

export function ruleProblemText(t: Translate, problem: RuleProblem): string {
  switch (problem.code) {
    case "topic":
      return topicProblemText(t, problem.topic);
    case "clear-wrong-side":
      return t(problem.direction === "above" ? "ruleProblem.clearNotBelow" : "ruleProblem.clearNotAbove", { threshold: problem.threshold });
    case "min-seconds":
      return t("ruleProblem.min-seconds", { min: problem.min });
    case "max-seconds":
      return t("ruleProblem.max-seconds", { max: problem.max });
    case "too-long":
      return t("ruleProblem.too-long", { max: problem.max });
    case "not-one-of":
      return t("ruleProblem.not-one-of", { options: problem.options.join(", ") });
    case "unknown-fields":
      return t("ruleProblem.unknown-fields", { fields: problem.fields.join(", ") });
    default:
      return t(`ruleProblem.${problem.code}`);
  }
}

/** The unit a topic's measurement implies (home/nursery/temperature → °C); "" when none. */
function topicUnit(topic: string): string {
  const parsed = parseHomeTopic(topic);
  return parsed?.kind === "measurement" ? inferUnit(parsed.measurement) : "";
}

/** "Nursery temperature: 27.5 °C", "Porch sensor availability: device offline": what fired, and why. */
export function alertLineText(t: Translate, locale: Locale, alert: Pick<AlertView, "topic" | "reason" | "value">): string {
  const reason = alertReasonText(t, locale, alert, topicUnit(alert.topic));
  const label = topicLabel(alert.topic, locale);
  return reason ? `${label}: ${reason}` : label;
}

/** After the topic's label: "27.5 °C" (issue 15: a value carries its unit), or why a silence rule fires; "" when there is nothing to add. */
export function alertReasonText(t: Translate, locale: Locale, alert: Pick<AlertView, "reason" | "value">, unit = ""): string {
  if (alert.reason === "offline") return t("alerts.reason.offline");
  if (alert.reason === "silent") return t("alerts.reason.silent");
  return alert.value === null ? "" : formatReading(alert.value, unit, locale);
}

/** The alerts API's error codes (lib/alerts/api.ts, guard.ts, service.ts) a person may meet on the alerts page. */
const API_ERRORS: Record<string, MessageKey> = {
  network: "alertsApi.network",
  unauthenticated: "alertsApi.unauthenticated",
  forbidden: "alertsApi.forbidden",
  "hub-unavailable": "alertsApi.hubUnavailable",
  "bad-request": "alertsApi.badRequest",
  "rule-not-found": "alertsApi.ruleNotFound",
  "rule-id-taken": "alertsApi.ruleIdTaken",
  "alert-not-found": "alertsApi.alertNotFound",
  "not-firing": "alertsApi.notFiring",
  "bad-snooze": "alertsApi.badSnooze",
  "database-unreachable": "alertsApi.databaseUnreachable",
};

/** What went wrong with a request to the alerts API, by its code; an unknown one by its HTTP status. */
export function alertsApiErrorText(t: Translate, error: Pick<ApiError, "code" | "status">): string {
  const key = Object.hasOwn(API_ERRORS, error.code) ? API_ERRORS[error.code] : null;
  return key ? t(key) : t("alertsApi.status", { status: error.status ?? "?" });
}
