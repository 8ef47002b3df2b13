import type { Metadata } from "next";
import { KioskView } from "@/components/kiosk/kiosk-view";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "@/lib/devices/command";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { parseKioskOptions } from "@/lib/kiosk/options";

// Rendered per request: the layout seeds it with the hub's latest readings.
export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getT();
  return { title: `${t("kiosk.title")} · Hearth` };
}

/**
 * The wall tablet's start page (issue 7). Settings ride in the query string, so the
 * tablet's start URL holds them: ?lock=1 ?idle=<seconds> ?night=22:00-07:00
 * ?wake=<topic> ?theme=light (dark by default).
 */
export default async function KioskPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const options = parseKioskOptions(await searchParams);
  const devices = getHub()?.devices;
  return (
    <KioskView
      options={options}
      commandTimeoutMs={devices?.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS}
    />
  );
}
