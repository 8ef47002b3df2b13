import type { Metadata } from "next";
import { TopicExplorer } from "@/components/topic-explorer";
import { getT } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  return { title: `${(await getT())("page.explorer.title")} · Hearth` };
}

// The layout seeds the live store with the latest readings per request.
export const dynamic = "force-dynamic";

export default async function ExplorerPage() {
  const t = await getT();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("page.explorer.title")}</h1>
      <p className="text-sm text-muted">{t("page.explorer.intro")}</p>
      <TopicExplorer />
    </div>
  );
}
