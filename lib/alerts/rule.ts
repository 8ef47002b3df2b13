// An alert rule, validated once with zod. The same schema checks the config
// file's seed rules, the route handlers' bodies and the dashboard's rule form as
// the admin types, so "a clear threshold on the wrong side" is one message everywhere.
// The messages here are the English the API answers with and the hub logs; the
// dashboard words a refusal from its code (RuleProblem) in its own language.
import { z } from "zod";
import { checkTopicFilter, type TopicProblem } from "../topics";

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
    if (!check.ok) {
      const { ok: _, ...topic } = check;
      ctx.addIssue({ code: "custom", message: check.reason, params: { code: "topic", topic } });
    }
  });

const finite = z.number({ error: "must be a number" }).finite("must be a finite number");
// Every bounded number in a rule is seconds: RuleProblem's min-seconds and max-seconds rely on it.
const seconds = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
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
 * Why a field of a rule is refused: a stable code and its parameters, which the
 * dashboard words in its language (lib/alerts/alert-text.ts), and `message`, the
 * English the API answers with.
 */
export type RuleProblem = { message: string } & (
  | { code: "required" | "not-a-number" | "whole-seconds" | "invalid" }
  | { code: "min-seconds"; min: number }
  | { code: "max-seconds"; max: number }
  | { code: "too-long"; max: number }
  | { code: "not-one-of"; options: string[] }
  | { code: "unknown-fields"; fields: string[] }
  | { code: "topic"; topic: TopicProblem }
  | { code: "clear-wrong-side"; direction: "above" | "below"; threshold: number }
);

/**
 * The hysteresis check: the clear threshold must lie on the safe side of the
 * threshold, or a value sitting on it would fire and resolve on every reading.
 */
export function hysteresisProblem(rule: { direction: "above" | "below"; threshold: number; clear: number }): RuleProblem | null {
  const wrongSide = rule.direction === "above" ? rule.clear >= rule.threshold : rule.clear <= rule.threshold;
  if (!wrongSide) return null;
  const side = rule.direction === "above" ? "below" : "above";
  return {
    code: "clear-wrong-side",
    direction: rule.direction,
    threshold: rule.threshold,
    message: `must be ${side} the threshold (${rule.threshold}) for ${rule.direction === "above" ? "an" : "a"} "${rule.direction}" rule, or the alert would flap`,
  };
}

export const ruleInputSchema = z.discriminatedUnion("kind", [thresholdRule, silenceRule]).superRefine((rule, ctx) => {
  if (rule.kind !== "threshold") return;
  const problem = hysteresisProblem(rule);
  if (problem) {
    const { message, ...params } = problem;
    ctx.addIssue({ code: "custom", path: ["clear"], message, params });
  }
});

export type RuleInput = z.infer<typeof ruleInputSchema>;
export type Rule = RuleInput & { id: string };
export type ThresholdRule = Extract<Rule, { kind: "threshold" }>;
export type SilenceRule = Extract<Rule, { kind: "silence" }>;

/** A zod issue of ruleInputSchema as a RuleProblem: custom issues carry theirs as params. */
function problemFromIssue(issue: z.core.$ZodIssue): RuleProblem {
  const message = issue.message;
  switch (issue.code) {
    case "custom":
      return issue.params ? ({ ...issue.params, message } as RuleProblem) : { code: "invalid", message };
    case "invalid_type":
      if (issue.expected === "int") return { code: "whole-seconds", message };
      return { code: issue.expected === "number" ? "not-a-number" : "required", message };
    case "too_small":
      // Strings have a minimum of one character only: the name and the filter.
      return issue.origin === "number" ? { code: "min-seconds", min: Number(issue.minimum), message } : { code: "required", message };
    case "too_big":
      return issue.origin === "number"
        ? { code: "max-seconds", max: Number(issue.maximum), message }
        : { code: "too-long", max: Number(issue.maximum), message };
    case "invalid_value":
      return { code: "not-one-of", options: issue.values.map(String), message };
    case "unrecognized_keys":
      return { code: "unknown-fields", fields: issue.keys, message };
    default:
      return { code: "invalid", message };
  }
}

/** Field → its first problem, for a form that shows each error beside its field. */
export function ruleErrors(input: unknown): Record<string, RuleProblem> {
  const parsed = ruleInputSchema.safeParse(input);
  if (parsed.success) return {};
  const errors: Record<string, RuleProblem> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join(".") || "form";
    errors[key] ??= problemFromIssue(issue);
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
    const problem = hysteresisProblem(raw as { direction: "above" | "below"; threshold: number; clear: number });
    if (problem) errors.clear = problem;
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

/**
 * What a rule watches for, for the one line a person reads in a list ("above 26
 * for 300 s (clears below 25)"), worded by lib/alerts/alert-text.ts.
 */
export type RuleSummary =
  | { code: "silence"; seconds: number }
  | { code: "above" | "below"; threshold: number; clear: number; holdSeconds: number };

export function ruleSummary(rule: RuleInput): RuleSummary {
  if (rule.kind === "silence") return { code: "silence", seconds: rule.silentForSeconds };
  return { code: rule.direction, threshold: rule.threshold, clear: rule.clear, holdSeconds: rule.forSeconds };
}
