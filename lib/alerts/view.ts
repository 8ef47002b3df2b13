// An alert as the world sees it: the retained JSON on `hearth/alerts/<rule-id>/<topic-key>`,
// the answer of the alerts API, and what the browser's alert store holds. The hub
// builds it with toAlertView; any client parses it with alertViewSchema.
import { z } from "zod";
import { SEVERITIES, SEVERITY_RANK, type Rule } from "./rule";
import { needsAttention, type AlertState } from "./state-machine";
import { measurementWord, readingLabel } from "../i18n/measurements";
import type { Locale } from "../i18n/translate";
import { labelFromLevel, parseHomeTopic } from "../topics";

const time = z.number().int().nonnegative();

export const alertViewSchema = z.object({
  ruleId: z.string().min(1),
  ruleName: z.string(),
  severity: z.enum(SEVERITIES),
  kind: z.enum(["threshold", "silence"]),
  topic: z.string().min(1),
  status: z.enum(["ok", "pending", "firing", "resolved"]),
  since: time,
  value: z.number().nullable(),
  reason: z.enum(["threshold", "silent", "offline"]).nullable(),
  firedAt: time.nullable(),
  acknowledgedAt: time.nullable(),
  snoozedUntil: time.nullable(),
  notifiedAt: time.nullable(),
  /** Firing, unacknowledged and not snoozed: the banner shows exactly these. */
  attention: z.boolean(),
});

export type AlertView = z.infer<typeof alertViewSchema>;

export function toAlertView(rule: Rule, topic: string, state: AlertState): AlertView {
  return {
    ruleId: rule.id,
    ruleName: rule.name,
    severity: rule.severity,
    kind: rule.kind,
    topic,
    status: state.status,
    since: state.since,
    value: state.value,
    reason: state.reason,
    firedAt: state.firedAt,
    acknowledgedAt: state.acknowledgedAt,
    snoozedUntil: state.snoozedUntil,
    notifiedAt: state.notifiedAt,
    attention: needsAttention(state),
  };
}

/** Worst severity first, then the longest firing first, then by topic: a stable order for lists and the banner. */
export function byUrgency(a: AlertView, b: AlertView): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (a.firedAt ?? a.since) - (b.firedAt ?? b.since) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.topic.localeCompare(b.topic)
  );
}

/**
 * "home/nursery/temperature" → "Nursery temperature" ("Nursery 온도" in Korean),
 * "home/office/co2" → "Office CO₂"; other topics as they are.
 */
export function topicLabel(topic: string, locale: Locale = "en"): string {
  const home = parseHomeTopic(topic);
  if (home === null) return topic;
  if (home.kind === "measurement") return readingLabel(home.room, home.measurement, locale);
  return `${labelFromLevel(home.room)} ${measurementWord(home.device, "en")} ${measurementWord(home.kind, locale)}`;
}
