import { headers } from "next/headers";
import { Dashboard } from "@/components/dashboard";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";

// Rendered per request: the layout seeds the dashboard with the hub's latest readings.
export const dynamic = "force-dynamic";

/** The host name devices can reach the hub at, as the browser did: "hub.lan" from "hub.lan:3000". */
function hubHostname(host: string | null): string {
  if (!host) return "localhost";
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return "localhost";
  }
}

export default async function HomePage() {
  const [host, t] = await Promise.all([headers().then((h) => h.get("host")), getT()]);
  const devices = getHub()?.devices;
  return (
    <>
      <h1 className="sr-only">{t("dashboard.title")}</h1>
      <Dashboard hubHost={hubHostname(host)} commandTimeoutMs={devices?.commandTimeoutMs} availabilityGraceMs={devices?.availabilityGraceMs} />
    </>
  );
}
