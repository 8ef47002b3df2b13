import type { Metadata } from "next";
import { ActiveAlerts } from "@/components/active-alerts";
import { AlertHistory } from "@/components/alert-history";
import { LiveScope } from "@/components/live-scope";
import { NotifySettings } from "@/components/notify-settings";
import { RuleManager } from "@/components/rule-manager";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { NO_READINGS } from "@/lib/live-scope";

// Rules and history are read from the running hub per request.
export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  return { title: `${(await getT())("page.alerts.title")} · Hearth` };
}

const HISTORY_SHOWN = 50;

export default async function AlertsPage() {
  const t = await getT();
  const alerts = getHub()?.alerts ?? null;
  if (alerts === null) {
    return <p className="text-danger">{t("page.alerts.noHub")}</p>;
  }
  const rules = [...(await alerts.rules())].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div className="mx-auto flex max-w-4xl flex-col gap-8">
      {/* Active alerts come on hearth/alerts/#: no reading of the home, except while the rule form is open (issue 13). */}
      <LiveScope filters={[...NO_READINGS]} />
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-bold">{t("page.alerts.title")}</h1>
        <NotifySettings />
      </div>
      <section aria-labelledby="active-heading" className="flex flex-col gap-3">
        <h2 id="active-heading" className="text-lg font-semibold">
          {t("page.alerts.active")}
        </h2>
        <ActiveAlerts />
      </section>
      <section aria-labelledby="rules-heading" className="flex flex-col gap-3">
        <h2 id="rules-heading" className="text-lg font-semibold">
          {t("page.alerts.rules")}
        </h2>
        <RuleManager initialRules={rules} />
      </section>
      <section aria-labelledby="history-heading" className="flex flex-col gap-3">
        <h2 id="history-heading" className="text-lg font-semibold">
          {t("page.alerts.history")}
        </h2>
        <AlertHistory initial={await alerts.history({ limit: HISTORY_SHOWN })} />
      </section>
    </div>
  );
}
