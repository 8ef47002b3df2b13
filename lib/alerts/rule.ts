// An alert rule, validated once with zod. The same schema checks the config
// file's seed rules, the route handlers' bodies and the dashboard's rule form as
// the admin types, so "a clear threshold on the wrong side" is one message everywhere.
import { z } from "zod";
import { checkTopicFilter } from "../topics";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Worst first sorts by this, descending. */
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Rule ids are one MQTT topic level of `hearth/alerts/<rule-id>/…`, and readable in a URL. */
export const RULE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const ruleId = z.string().regex(RULE_ID, "must be 1–64 lowercase letters, digits and dashes");

const topicFilter = z
  .string({ error: "is required" })
  .trim()
  .min(1, "is required")
  .superRefine((filter, ctx) => {
    const check = checkTopicFilter(filter);
    if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
  });

const finite = z.number({ error: "must be a number" }).finite("must be a finite number");
const seconds = (min: number, max: number) =>
  z
    .number({ error: "must be a number of seconds" })
    .int("must be whole seconds")
    .min(min, `must be at least ${min} s`)
    .max(max, `must be at most ${max} s`);

const DAY_S = 24 * 60 * 60;

const common = {
  /** Given by the config file; the hub derives one from the name for rules made in the dashboard. */
  id: ruleId.optional(),
  name: z.string({ error: "is required" }).trim().min(1, "is required").max(80, "must be at most 80 characters"),
  severity: z.enum(SEVERITIES, "must be info, warning or critical"),
  enabled: z.boolean().default(true),
  filter: topicFilter,
  /** Per rule: after one notification, further firings of this rule stay quiet this long (no storm from a flapping sensor). */
  notifyIntervalSeconds: seconds(0, DAY_S).default(300),
};

const thresholdRule = z.strictObject({
  ...common,
  kind: z.literal("threshold"),
  direction: z.enum(["above", "below"], "must be above or below"),
  threshold: finite,
  /** Hysteresis: a firing alert resolves only once the value is back past this. */
  clear: finite,
  /** The condition must hold this long before the alert fires; 0 fires at once. */
  forSeconds: seconds(0, DAY_S).default(0),
});

const silenceRule = z.strictObject({
  ...common,
  kind: z.literal("silence"),
  /** A matching topic quiet this long fires; a matching `…/availability` topic fires on `offline`. */
  silentForSeconds: seconds(10, 7 * DAY_S),
});

/**
 * The hysteresis check: the clear threshold must lie on the safe side of the
 * threshold, or a value sitting on it would fire and resolve on every reading.
 */
export function hysteresisError(rule: { direction: "above" | "below"; threshold: number; clear: number }): string | null {
  const wrongSide = rule.direction === "above" ? rule.clear >= rule.threshold : rule.clear <= rule.threshold;
  if (!wrongSide) return null;
  const side = rule.direction === "above" ? "below" : "above";
  return `must be ${side} the threshold (${rule.threshold}) for an "${rule.direction}" rule, or the alert would flap`;
}

export const ruleInputSchema = z.discriminatedUnion("kind", [thresholdRule, silenceRule]).superRefine((rule, ctx) => {
  if (rule.kind !== "threshold") return;
  const message = hysteresisError(rule);
  if (message) ctx.addIssue({ code: "custom", path: ["clear"], message });
});

export type RuleInput = z.infer<typeof ruleInputSchema>;
export type Rule = RuleInput & { id: string };
export type ThresholdRule = Extract<Rule, { kind: "threshold" }>;
export type SilenceRule = Extract<Rule, { kind: "silence" }>;

/** Field → first message, for a form that shows each error beside its field. */
export function ruleErrors(input: unknown): Record<string, string> {
  const parsed = ruleInputSchema.safeParse(input);
  if (parsed.success) return {};
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join(".") || "form";
    errors[key] ??= issue.message;
  }
  // zod runs the cross-field check only once every field parses; a form shows it as soon as both numbers are in.
  const raw = input as { kind?: unknown; direction?: unknown; threshold?: unknown; clear?: unknown };
  if (
    errors.clear === undefined &&
    raw?.kind === "threshold" &&
    (raw.direction === "above" || raw.direction === "below") &&
    Number.isFinite(raw.threshold) &&
    Number.isFinite(raw.clear)
  ) {
    const message = hysteresisError(raw as { direction: "above" | "below"; threshold: number; clear: number });
    if (message) errors.clear = message;
  }
  return errors;
}

/** "Nursery too hot!" → "nursery-too-hot"; `taken` ids get a numeric suffix. */
export function ruleIdFromName(name: string, taken: (id: string) => boolean): string {
  const base =
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 56) || "rule";
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}-${n}`;
    if (!taken(id)) return id;
  }
}

/** One line a person reads in a list: "above 26 (clears below 25) for 300 s". */
export function describeRule(rule: RuleInput): string {
  if (rule.kind === "silence") return `silent for ${rule.silentForSeconds} s, or offline`;
  const back = rule.direction === "above" ? "below" : "above";
  const hold = rule.forSeconds > 0 ? ` for ${rule.forSeconds} s` : "";
  return `${rule.direction} ${rule.threshold}${hold} (clears ${back} ${rule.clear})`;
}
