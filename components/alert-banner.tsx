"use client";

import Link from "next/link";
import { AlertNotifier } from "@/components/alert-notifier";
import { AlertResync } from "@/components/alert-resync";
import { SEVERITY_BADGE, SEVERITY_BANNER } from "@/components/severity";
import { useAttentionAlerts } from "@/components/use-alerts";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { alertLineText } from "@/lib/alerts/alert-text";

/** Alerts shown by name; the rest are counted. */
const SHOWN = 3;

/**
 * On every page while any alert is firing, unacknowledged and not snoozed, worst
 * severity first. It also hosts the notifier and the resync after a reconnect, which
 * are on every page for the same reason.
 */
export function AlertBanner() {
  const alerts = useAttentionAlerts();
  const t = useT();
  const locale = useLocale();
  return (
    <>
      <AlertNotifier />
      <AlertResync />
      {alerts.length > 0 && (
        <div
          role="alert"
          data-testid="alert-banner"
          data-severity={alerts[0].severity}
          className={cn("border-b-2", SEVERITY_BANNER[alerts[0].severity])}
        >
          <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 text-sm">
            <ul className="flex flex-1 flex-col gap-1">
              {alerts.slice(0, SHOWN).map((alert) => (
                <li
                  key={`${alert.ruleId}/${alert.topic}`}
                  data-testid="alert-banner-item"
                  data-rule={alert.ruleId}
                  data-topic={alert.topic}
                  data-severity={alert.severity}
                  className="flex items-center gap-2"
                >
                  <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold", SEVERITY_BADGE[alert.severity])}>
                    {t(`severity.${alert.severity}`)}
                  </span>
                  <span className="font-semibold">{alert.ruleName}</span>
                  <span className="text-muted">
                    {alertLineText(t, locale, alert)}
                  </span>
                </li>
              ))}
              {alerts.length > SHOWN && <li className="text-muted">{t("alerts.banner.more", { n: alerts.length - SHOWN })}</li>}
            </ul>
            <Link href="/alerts" className="inline-flex min-h-11 items-center font-semibold underline underline-offset-2">
              {t("alerts.banner.view")}
            </Link>
          </div>
        </div>
      )}
    </>
  );
}
