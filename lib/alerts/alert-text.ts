// Alert text in the interface language, worded at the edge from the codes and
// parameters lib/alerts returns: a rule's one-line summary, a field's problem in
// the rule form, and why an alert fires. Logs and the API keep their English.
import type { Locale, Translate } from "../i18n/translate";
import { formatValue } from "../format";
import { topicProblemText } from "../topic-problem-text";
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

/** "Nursery temperature: 27.5", "Porch sensor availability: device offline": what fired, and why. */
export function alertLineText(t: Translate, locale: Locale, alert: Pick<AlertView, "topic" | "reason" | "value">): string {
  const reason = alertReasonText(t, locale, alert);
  return reason ? `${topicLabel(alert.topic)}: ${reason}` : topicLabel(alert.topic);
}

/** After the topic's label: "27.5", or why a silence rule fires; "" when there is nothing to add. */
export function alertReasonText(t: Translate, locale: Locale, alert: Pick<AlertView, "reason" | "value">): string {
  if (alert.reason === "offline") return t("alerts.reason.offline");
  if (alert.reason === "silent") return t("alerts.reason.silent");
  return alert.value === null ? "" : formatValue(alert.value, locale);
}
