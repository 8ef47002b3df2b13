"use client";

import { useId, useMemo, useState, type ReactNode } from "react";
import { useLiveScope } from "@/components/use-live-scope";
import { useLiveStore } from "@/components/use-live-store";
import { useRooms } from "@/components/use-rooms";
import { useLocale, useT } from "@/components/use-t";
import { callAlertsApi } from "@/lib/alerts/client";
import { alertsApiErrorText, ruleProblemText } from "@/lib/alerts/alert-text";
import { ruleErrors, SEVERITIES, type Rule } from "@/lib/alerts/rule";
import type { RuleTest } from "@/lib/alerts/service";
import { formatValue } from "@/lib/format";
import { cn } from "@/lib/cn";
import { WHOLE_HOME } from "@/lib/live-scope";
import { inferUnit } from "@/lib/readings";
import { ruleTopicSuggestions, unitForFilter } from "@/lib/topic-search";

/** The form's fields as typed: numbers stay strings until they are checked. */
type Draft = {
  name: string;
  filter: string;
  kind: Rule["kind"];
  severity: Rule["severity"];
  enabled: boolean;
  direction: "above" | "below";
  threshold: string;
  clear: string;
  forSeconds: string;
  silentForSeconds: string;
  notifyIntervalSeconds: string;
};

const EMPTY: Draft = {
  name: "",
  filter: "",
  kind: "threshold",
  severity: "warning",
  enabled: true,
  direction: "above",
  threshold: "",
  clear: "",
  forSeconds: "0",
  silentForSeconds: "600",
  notifyIntervalSeconds: "300",
};

function fromRule(rule: Rule): Draft {
  return {
    ...EMPTY,
    name: rule.name,
    filter: rule.filter,
    kind: rule.kind,
    severity: rule.severity,
    enabled: rule.enabled,
    notifyIntervalSeconds: String(rule.notifyIntervalSeconds),
    ...(rule.kind === "threshold"
      ? { direction: rule.direction, threshold: String(rule.threshold), clear: String(rule.clear), forSeconds: String(rule.forSeconds) }
      : { silentForSeconds: String(rule.silentForSeconds) }),
  };
}

/** "" stays missing (the schema says it is required); anything else is a number or NaN ("must be a number"). */
const num = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text));

/** The body the API takes: exactly what the shared schema validates, here as the admin types. */
function toInput(d: Draft): Record<string, unknown> {
  const common = { name: d.name, filter: d.filter, kind: d.kind, severity: d.severity, enabled: d.enabled, notifyIntervalSeconds: num(d.notifyIntervalSeconds) };
  return d.kind === "threshold"
    ? { ...common, direction: d.direction, threshold: num(d.threshold), clear: num(d.clear), forSeconds: num(d.forSeconds) }
    : { ...common, silentForSeconds: num(d.silentForSeconds) };
}

const input = "w-full rounded-lg border border-line bg-surface px-3 py-2 aria-[invalid=true]:border-danger";

/** Create or edit a rule; every field is checked with the hub's own schema as it changes. */
export function RuleForm({ rule, onSaved, onCancel }: { rule?: Rule; onSaved: (rule: Rule) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => (rule ? fromRule(rule) : EMPTY));
  const [touched, setTouched] = useState<Set<string>>(() => new Set(rule ? Object.keys(EMPTY) : []));
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [test, setTest] = useState<RuleTest | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const t = useT();
  const locale = useLocale();
  const known = useKnownTopics();
  const unit = unitForFilter(draft.filter, known.units, inferUnit);

  const body = toInput(draft);
  const problems = ruleErrors(body);
  // The hub's own answer is English; the same checks run here first, in the page's language.
  const errors: Record<string, string> = { ...serverErrors };
  for (const [name, problem] of Object.entries(problems)) errors[name] = ruleProblemText(t, problem);
  const valid = Object.keys(problems).length === 0;
  const shown = (field: string) => (submitted || touched.has(field) ? errors[field] : undefined);

  function change<K extends keyof Draft>(key: K, value: Draft[K]) {
    setDraft((d) => ({ ...d, [key]: value }));
    setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
    setServerErrors({});
    setTest(null);
  }

  async function save() {
    setSubmitted(true);
    if (!valid) return;
    setBusy(true);
    setProblem(null);
    const result = rule
      ? await callAlertsApi<Rule>(`/rules/${encodeURIComponent(rule.id)}`, "PUT", body)
      : await callAlertsApi<Rule>("/rules", "POST", body);
    setBusy(false);
    if (result.ok) return onSaved(result.value);
    setProblem(alertsApiErrorText(t, result));
    if (result.fields) setServerErrors(result.fields);
  }

  async function runTest() {
    setSubmitted(true);
    if (!valid) return;
    setBusy(true);
    setProblem(null);
    const result = await callAlertsApi<RuleTest>("/rule-test", "POST", body);
    setBusy(false);
    if (result.ok) setTest(result.value);
    else setProblem(alertsApiErrorText(t, result));
  }

  const field = (name: keyof Draft, label: string, control: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode, hint?: string) => {
    const error = shown(name);
    const fieldId = `${id}-${name}`;
    return (
      <div className="flex flex-col gap-1">
        <label htmlFor={fieldId} className="text-sm font-medium">
          {label}
        </label>
        {control({ id: fieldId, "aria-invalid": error !== undefined, "aria-describedby": error || hint ? `${fieldId}-note` : undefined })}
        {error ? (
          <p id={`${fieldId}-note`} data-testid={`error-${name}`} className="text-sm text-danger">
            {error}
          </p>
        ) : (
          hint && (
            <p id={`${fieldId}-note`} className="text-xs text-muted">
              {hint}
            </p>
          )
        )}
      </div>
    );
  };

  const text = (name: keyof Draft, label: string, hint?: string, inputMode?: "decimal" | "numeric", extra: { list?: string; unit?: string } = {}) =>
    field(name, label, (props) => {
      const control = (
        <input
          {...props}
          className={input}
          inputMode={inputMode}
          list={extra.list}
          value={draft[name] as string}
          onChange={(e) => change(name, e.target.value as never)}
        />
      );
      // The unit beside a threshold, so "26" reads as 26 °C (issue 15).
      return extra.unit ? (
        <span className="flex items-center gap-2">
          {control}
          <span data-testid={`unit-${name}`} className="shrink-0 text-sm text-muted">
            {extra.unit}
          </span>
        </span>
      ) : (
        control
      );
    }, hint);

  return (
    <form
      data-testid="rule-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      className="grid gap-4 rounded-xl border border-line bg-surface p-4 sm:grid-cols-2"
    >
      <h3 className="text-lg font-semibold sm:col-span-2">{rule ? t("ruleForm.edit", { name: rule.name }) : t("ruleForm.new")}</h3>
      {text("name", t("ruleForm.name"))}
      {text("filter", t("ruleForm.filter"), t("ruleForm.filterHint"), undefined, { list: `${id}-topics` })}
      <datalist id={`${id}-topics`}>
        {known.suggestions.map((topic) => (
          <option key={topic} value={topic} />
        ))}
      </datalist>
      {field("kind", t("ruleForm.kind"), (props) => (
        <select {...props} className={input} value={draft.kind} onChange={(e) => change("kind", e.target.value as Draft["kind"])}>
          <option value="threshold">{t("ruleForm.kind.threshold")}</option>
          <option value="silence">{t("ruleForm.kind.silence")}</option>
        </select>
      ))}
      {field("severity", t("ruleForm.severity"), (props) => (
        <select {...props} className={input} value={draft.severity} onChange={(e) => change("severity", e.target.value as Draft["severity"])}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {t(`severity.${s}`)}
            </option>
          ))}
        </select>
      ))}
      {draft.kind === "threshold" ? (
        <>
          {field("direction", t("ruleForm.direction"), (props) => (
            <select {...props} className={input} value={draft.direction} onChange={(e) => change("direction", e.target.value as Draft["direction"])}>
              <option value="above">{t("ruleForm.direction.above")}</option>
              <option value="below">{t("ruleForm.direction.below")}</option>
            </select>
          ))}
          {text("threshold", t("ruleForm.threshold"), undefined, "decimal", { unit })}
          {text("clear", t("ruleForm.clear"), t(draft.direction === "above" ? "ruleForm.clearHint.above" : "ruleForm.clearHint.below"), "decimal", { unit })}
          {text("forSeconds", t("ruleForm.hold"), t("ruleForm.holdHint"), "numeric")}
        </>
      ) : (
        text("silentForSeconds", t("ruleForm.silentFor"), t("ruleForm.silentHint"), "numeric")
      )}
      {text("notifyIntervalSeconds", t("ruleForm.notifyEvery"), t("ruleForm.notifyHint"), "numeric")}
      <label className="flex items-center gap-2 text-sm font-medium">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => change("enabled", e.target.checked)} />
        {t("ruleForm.enabled")}
      </label>
      {errors.form && submitted && <p className="text-sm text-danger sm:col-span-2">{errors.form}</p>}
      {problem && (
        <p role="alert" data-testid="rule-form-problem" className="text-sm text-danger sm:col-span-2">
          {problem}
        </p>
      )}
      {test && (
        <div data-testid="rule-test-result" className="rounded-lg bg-canvas px-3 py-2 text-sm sm:col-span-2">
          {test.topics.length === 0 ? (
            t("ruleForm.test.none")
          ) : (
            <ul>
              {test.topics.map((row) => (
                <li key={row.topic} data-topic={row.topic} data-status={row.status}>
                  <code>{row.topic}</code>
                  {row.value !== null && ` = ${formatValue(row.value, locale)}`} →{" "}
                  {t(row.status === "firing" ? "ruleForm.test.firing" : row.status === "pending" ? "ruleForm.test.pending" : "ruleForm.test.ok")}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="flex flex-wrap gap-2 sm:col-span-2">
        <button
          type="submit"
          disabled={busy || (submitted && !valid)}
          className={cn("rounded-lg bg-accent px-4 py-2 font-semibold text-white disabled:opacity-50")}
        >
          {rule ? t("ruleForm.save") : t("ruleForm.create")}
        </button>
        <button type="button" disabled={busy} onClick={() => void runTest()} className="rounded-lg border border-line px-4 py-2 font-medium disabled:opacity-50">
          {t("ruleForm.test")}
        </button>
        <button type="button" onClick={onCancel} className="rounded-lg px-4 py-2 font-medium text-muted">
          {t("ruleForm.cancel")}
        </button>
      </div>
    </form>
  );
}

/**
 * The reading topics the page knows, as suggestions for the topic field, and each one's
 * unit. While the form is open the page follows the whole home, so a sensor that appears
 * meanwhile is suggested too; the alerts page around it follows none (issue 13).
 */
function useKnownTopics(): { suggestions: string[]; units: ReadonlyMap<string, string> } {
  useLiveScope([WHOLE_HOME]);
  const rooms = useRooms();
  const { store } = useLiveStore();
  return useMemo(() => {
    const topics = rooms.flatMap((room) => room.topics);
    const units = new Map(topics.map((topic) => [topic, store.getTopic(topic)?.reading?.unit ?? ""]));
    return { suggestions: ruleTopicSuggestions(topics), units };
  }, [rooms, store]);
}
