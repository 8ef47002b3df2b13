import type { Metadata } from "next";
import { ActiveAlerts } from "@/components/active-alerts";
import { AlertHistory } from "@/components/alert-history";
import { NotifySettings } from "@/components/notify-settings";
import { RuleManager } from "@/components/rule-manager";
import { getHub } from "@/lib/hub-registry";

// Rules and history are read from the running hub per request.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Alerts · Hearth" };

const HISTORY_SHOWN = 50;

export default function AlertsPage() {
  const alerts = getHub()?.alerts ?? null;
  if (alerts === null) {
    return <p className="text-danger">The hub is not running in this process, so there are no alerts to show.</p>;
  }
  const rules = [...alerts.rules()].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div className="mx-auto flex max-w-4xl flex-col gap-8">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-bold">Alerts</h1>
        <NotifySettings />
      </div>
      <section aria-labelledby="active-heading" className="flex flex-col gap-3">
        <h2 id="active-heading" className="text-lg font-semibold">
          Active
        </h2>
        <ActiveAlerts />
      </section>
      <section aria-labelledby="rules-heading" className="flex flex-col gap-3">
        <h2 id="rules-heading" className="text-lg font-semibold">
          Rules
        </h2>
        <RuleManager initialRules={rules} />
      </section>
      <section aria-labelledby="history-heading" className="flex flex-col gap-3">
        <h2 id="history-heading" className="text-lg font-semibold">
          History
        </h2>
        <AlertHistory initial={alerts.history({ limit: HISTORY_SHOWN })} />
      </section>
    </div>
  );
}
