"use client";

import { useState } from "react";
import { SEVERITY_BADGE } from "@/components/severity";
import { TimeAgo } from "@/components/time-ago";
import { useAlerts } from "@/components/use-alerts";
import { useNow } from "@/components/use-now";
import { useLocale, useT } from "@/components/use-t";
import { callAlertsApi } from "@/lib/alerts/client";
import { SNOOZE_MINUTES } from "@/lib/alerts/requests";
import { alertLineText, alertsApiErrorText } from "@/lib/alerts/alert-text";
import type { AlertView } from "@/lib/alerts/view";
import { cn } from "@/lib/cn";
import type { MessageKey } from "@/lib/i18n/en";
import { formatClock } from "@/lib/format";

const SNOOZE_LABEL: Record<number, MessageKey> = { 15: "alerts.snooze.15", 60: "alerts.snooze.60", 480: "alerts.snooze.480", 1440: "alerts.snooze.1440" };

/** Firing and pending alerts, live from the hub's retained topics, with acknowledge and snooze. */
export function ActiveAlerts() {
  const active = useAlerts().filter((a) => a.status === "firing" || a.status === "pending");
  const t = useT();
  if (active.length === 0) {
    return (
      <p data-testid="no-active-alerts" className="rounded-xl border border-dashed border-line px-4 py-6 text-center text-muted">
        {t("alerts.none")}
      </p>
    );
  }
  return (
    <ul data-testid="active-alerts" className="divide-y divide-line rounded-xl border border-line bg-surface">
      {active.map((alert) => (
        <ActiveAlert key={`${alert.ruleId}/${alert.topic}`} alert={alert} />
      ))}
    </ul>
  );
}

function ActiveAlert({ alert }: { alert: AlertView }) {
  const [minutes, setMinutes] = useState<number>(60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(30_000);
  const t = useT();
  const locale = useLocale();
  const ref = { ruleId: alert.ruleId, topic: alert.topic };

  async function act(path: string, body: object) {
    setBusy(true);
    setError(null);
    const result = await callAlertsApi(path, "POST", body);
    setBusy(false);
    // Success shows up by itself: the hub publishes the new state to every open page.
    if (!result.ok) setError(alertsApiErrorText(t, result));
  }

  return (
    <li
      data-testid="alert-row"
      data-rule={alert.ruleId}
      data-topic={alert.topic}
      data-status={alert.status}
      data-severity={alert.severity}
      data-acknowledged={alert.acknowledgedAt !== null}
      data-snoozed={alert.snoozedUntil !== null}
      className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3"
    >
      <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold", SEVERITY_BADGE[alert.severity])}>
        {t(`severity.${alert.severity}`)}
      </span>
      <div className="flex min-w-48 flex-1 flex-col">
        <span className="font-semibold">{alert.ruleName}</span>
        <span className="text-sm text-muted">
          {alertLineText(t, locale, alert)} · {t(alert.status === "pending" ? "alerts.pending" : "alerts.firing")}{" "}
          <TimeAgo at={alert.since} />
        </span>
      </div>
      <span className="text-sm font-medium">
        {alert.acknowledgedAt !== null && t("alerts.acknowledged")}
        {alert.snoozedUntil !== null && now !== null && ` ${t("alerts.snoozedUntil", { time: formatClock(alert.snoozedUntil, locale) })}`}
      </span>
      <div className="flex items-center gap-2">
        {alert.status === "firing" && alert.acknowledgedAt === null && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act("/ack", ref)}
            className="rounded-lg border border-line px-3 py-1.5 text-sm font-medium hover:bg-canvas disabled:opacity-50"
          >
            {t("alerts.acknowledge")}
          </button>
        )}
        <label className="sr-only" htmlFor={`snooze-${alert.ruleId}-${alert.topic}`}>
          {t("alerts.snoozeFor")}
        </label>
        <select
          id={`snooze-${alert.ruleId}-${alert.topic}`}
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
          className="rounded-lg border border-line bg-surface px-2 py-1.5 text-sm"
        >
          {SNOOZE_MINUTES.map((m) => (
            <option key={m} value={m}>
              {t(SNOOZE_LABEL[m])}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={busy}
          onClick={() => void act("/snooze", { ...ref, minutes })}
          className="rounded-lg border border-line px-3 py-1.5 text-sm font-medium hover:bg-canvas disabled:opacity-50"
        >
          {t("alerts.snooze")}
        </button>
      </div>
      {error && (
        <p role="alert" className="w-full text-sm text-danger">
          {error}
        </p>
      )}
    </li>
  );
}
