"use client";

import { useState } from "react";
import { RuleForm } from "@/components/rule-form";
import { SEVERITY_BADGE } from "@/components/severity";
import { useT } from "@/components/use-t";
import { callAlertsApi } from "@/lib/alerts/client";
import { alertsApiErrorText, ruleSummaryText } from "@/lib/alerts/alert-text";
import type { Rule } from "@/lib/alerts/rule";
import { cn } from "@/lib/cn";

/** The rules, with create, edit and two-step delete; the list follows what the hub answered. */
export function RuleManager({ initialRules }: { initialRules: Rule[] }) {
  const [rules, setRules] = useState(initialRules);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const t = useT();

  function saved(rule: Rule) {
    setRules((list) => [...list.filter((r) => r.id !== rule.id), rule].sort((a, b) => a.name.localeCompare(b.name)));
    setEditing(null);
  }

  async function remove(id: string) {
    setProblem(null);
    const result = await callAlertsApi(`/rules/${encodeURIComponent(id)}`, "DELETE");
    setConfirming(null);
    if (result.ok || result.code === "rule-not-found") setRules((list) => list.filter((r) => r.id !== id));
    if (!result.ok) setProblem(alertsApiErrorText(t, result));
  }

  return (
    <div className="flex flex-col gap-3">
      {rules.length === 0 && editing !== "new" && (
        <p data-testid="no-rules" className="text-muted">
          {t("rules.none")}
        </p>
      )}
      {rules.length > 0 && (
        <ul data-testid="rules" className="divide-y divide-line rounded-xl border border-line bg-surface">
          {rules.map((rule) =>
            editing === rule.id ? (
              <li key={rule.id} className="p-2">
                <RuleForm rule={rule} onSaved={saved} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <li key={rule.id} data-testid={`rule-${rule.id}`} data-enabled={rule.enabled} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
                <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold", SEVERITY_BADGE[rule.severity])}>
                  {t(`severity.${rule.severity}`)}
                </span>
                <div className="flex min-w-48 flex-1 flex-col">
                  <span className="font-semibold">
                    {rule.name}
                    {!rule.enabled && <span className="ml-2 text-sm font-normal text-muted">{t("rules.off")}</span>}
                  </span>
                  <span className="text-sm text-muted">
                    <code>{rule.filter}</code> {ruleSummaryText(t, rule)}
                  </span>
                </div>
                <button type="button" onClick={() => setEditing(rule.id)} className="rounded-lg border border-line px-3 py-1.5 text-sm font-medium">
                  {t("rules.edit")}
                </button>
                {confirming === rule.id ? (
                  <button type="button" onClick={() => void remove(rule.id)} className="rounded-lg bg-danger px-3 py-1.5 text-sm font-semibold text-white">
                    {t("rules.confirmDelete")}
                  </button>
                ) : (
                  <button type="button" onClick={() => setConfirming(rule.id)} className="rounded-lg border border-line px-3 py-1.5 text-sm font-medium">
                    {t("rules.delete")}
                  </button>
                )}
              </li>
            ),
          )}
        </ul>
      )}
      {problem && (
        <p role="alert" className="text-sm text-danger">
          {problem}
        </p>
      )}
      {editing === "new" ? (
        <RuleForm onSaved={saved} onCancel={() => setEditing(null)} />
      ) : (
        <button type="button" onClick={() => setEditing("new")} className="self-start rounded-lg bg-accent px-4 py-2 font-semibold text-white">
          {t("rules.new")}
        </button>
      )}
    </div>
  );
}
