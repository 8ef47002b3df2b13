"use client";

import { SEVERITY_BANNER, SEVERITY_BADGE } from "@/components/severity";
import { useAttentionAlerts } from "@/components/use-alerts";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { alertLineText } from "@/lib/alerts/alert-text";

const SHOWN = 3;

/** Firing alerts, big: the first thing anyone sees from across the room. Nothing when all is well. */
export function KioskAlerts() {
  const alerts = useAttentionAlerts();
  const t = useT();
  const locale = useLocale();
  if (alerts.length === 0) return null;
  return (
    <section
      role="alert"
      aria-label={t("kiosk.alerts")}
      data-testid="kiosk-alerts"
      data-severity={alerts[0].severity}
      className={cn("rounded-3xl border-4 px-6 py-2", SEVERITY_BANNER[alerts[0].severity])}
    >
      <ul className="flex flex-col gap-2">
        {alerts.slice(0, SHOWN).map((alert) => (
          <li
            key={`${alert.ruleId}/${alert.topic}`}
            data-rule={alert.ruleId}
            data-topic={alert.topic}
            className="flex flex-wrap items-baseline gap-x-4 gap-y-1"
          >
            <span className={cn("rounded-lg px-3 py-1 text-xl font-bold", SEVERITY_BADGE[alert.severity])}>
              {t(`severity.${alert.severity}`)}
            </span>
            <span className="text-3xl font-bold">{alert.ruleName}</span>
            <span className="text-2xl text-muted">
              {alertLineText(t, locale, alert)}
            </span>
          </li>
        ))}
        {alerts.length > SHOWN && <li className="text-2xl text-muted">{t("kiosk.moreAlerts", { n: alerts.length - SHOWN })}</li>}
      </ul>
    </section>
  );
}
