"use client";

import { useEffect, useState } from "react";
import { TimeAgo } from "@/components/time-ago";
import { useAlerts } from "@/components/use-alerts";
import { useLocale, useT } from "@/components/use-t";
import { alertsApiErrorText } from "@/lib/alerts/alert-text";
import { callAlertsApi, type ApiError } from "@/lib/alerts/client";
import type { AlertHistoryEntry } from "@/lib/alerts/store";
import { topicLabel } from "@/lib/alerts/view";
import { formatValue } from "@/lib/format";

const LIMIT = 50;

/** The newest alert events; fetched again whenever any alert changes, so it follows the hub live. */
export function AlertHistory({ initial }: { initial: AlertHistoryEntry[] }) {
  const alerts = useAlerts();
  const [events, setEvents] = useState(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const t = useT();
  const locale = useLocale();

  useEffect(() => {
    let cancelled = false;
    void callAlertsApi<{ events: AlertHistoryEntry[] }>(`/history?limit=${LIMIT}`, "GET").then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setEvents(result.value.events);
        setError(null);
      } else setError(result);
    });
    return () => {
      cancelled = true;
    };
  }, [alerts]);

  return (
    <div>
      {error && <p className="mb-2 text-sm text-danger">{t("alertHistory.refreshFailed", { error: alertsApiErrorText(t, error) })}</p>}
      {events.length === 0 ? (
        <p data-testid="no-alert-history" className="text-muted">
          {t("alertHistory.none")}
        </p>
      ) : (
        <ol data-testid="alert-history" className="divide-y divide-line rounded-xl border border-line bg-surface text-sm">
          {events.map((event) => (
            <li
              key={event.id}
              data-kind={event.kind}
              data-rule={event.ruleId}
              data-topic={event.topic}
              className="flex flex-wrap items-baseline gap-x-3 px-4 py-2"
            >
              <span className="w-28 font-semibold">{t(`alertHistory.${event.kind}`)}</span>
              <span>
                {event.ruleName} <span className="text-muted">({t(`severity.${event.severity}`).toLowerCase()})</span>
              </span>
              <span className="text-muted">
                {topicLabel(event.topic, locale)}
                {event.value !== null && t("alertHistory.at", { value: formatValue(event.value, locale) })}
                {event.reason === "offline" && t("alertHistory.offline")}
                {event.reason === "silent" && t("alertHistory.silent")}
                {event.notified === false && t("alertHistory.notNotified")}
              </span>
              <TimeAgo at={event.at} className="ml-auto text-muted" />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
