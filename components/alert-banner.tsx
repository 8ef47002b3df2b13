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
          {/* On a phone one line: the worst alert and how many more (issue 15); from `md` up three. */}
          <div className="mx-auto flex max-w-screen-2xl items-center gap-x-3 px-4 py-0.5 text-sm md:py-2">
            <ul className="flex min-w-0 flex-1 flex-col gap-1">
              {alerts.slice(0, SHOWN).map((alert, i) => (
                <li
                  key={`${alert.ruleId}/${alert.topic}`}
                  data-testid="alert-banner-item"
                  data-rule={alert.ruleId}
                  data-topic={alert.topic}
                  data-severity={alert.severity}
                  className={cn("flex min-w-0 items-center gap-2", i > 0 && "hidden md:flex")}
                >
                  <span className={cn("shrink-0 rounded px-1.5 py-0.5 text-xs font-semibold", SEVERITY_BADGE[alert.severity])}>
                    {t(`severity.${alert.severity}`)}
                  </span>
                  <span className="truncate">
                    <span className="font-semibold">{alert.ruleName}</span>{" "}
                    <span className="text-muted">{alertLineText(t, locale, alert)}</span>
                  </span>
                  {i === 0 && alerts.length > 1 && (
                    <span className="shrink-0 text-muted md:hidden">{t("alerts.banner.more", { n: alerts.length - 1 })}</span>
                  )}
                </li>
              ))}
              {alerts.length > SHOWN && <li className="hidden text-muted md:block">{t("alerts.banner.more", { n: alerts.length - SHOWN })}</li>}
            </ul>
            <Link prefetch={false} href="/alerts" className="inline-flex min-h-11 shrink-0 items-center font-semibold underline underline-offset-2">
              {t("alerts.banner.view")}
            </Link>
          </div>
        </div>
      )}
    </>
  );
}
