import Link from "next/link";
import { notFound } from "next/navigation";
import { HistoryChart } from "@/components/history-chart";
import { LiveScope } from "@/components/live-scope";
import type { Metadata } from "next";
import { measurementName, readingLabel } from "@/lib/i18n/measurements";
import { getLocale } from "@/lib/i18n/server";
import { createTranslator, type Locale } from "@/lib/i18n/translate";
import { roomHref, topicFromSegments } from "@/lib/links";
import { checkTopicFilter, labelFromLevel, parseHomeTopic, topicLevels } from "@/lib/topics";

// The chart reads the live store; nothing here is prerendered.
export const dynamic = "force-dynamic";

/** "Attic temperature", or for a filter like home/+/temperature "Temperature in every room", in the page's language. */
function titleFor(topic: string, locale: Locale): string {
  const levels = topicLevels(topic);
  if (levels.length === 3 && levels[0] === "home" && levels[1] === "+" && levels[2] !== "+" && levels[2] !== "#") {
    return createTranslator(locale)("page.reading.everyRoom", { measurement: measurementName(levels[2], locale) });
  }
  const parsed = parseHomeTopic(topic);
  if (parsed?.kind === "measurement") return readingLabel(parsed.room, parsed.measurement, locale);
  return topic;
}

export async function generateMetadata({ params }: { params: Promise<{ topic: string[] }> }): Promise<Metadata> {
  return { title: `${titleFor(topicFromSegments((await params).topic), await getLocale())} · Hearth` };
}

export default async function ReadingPage({ params }: { params: Promise<{ topic: string[] }> }) {
  const topic = topicFromSegments((await params).topic);
  if (!checkTopicFilter(topic).ok) notFound();
  const locale = await getLocale();
  const t = createTranslator(locale);
  const title = titleFor(topic, locale);
  const parsed = parseHomeTopic(topic);
  return (
    <div className="flex flex-col gap-4">
      <div>
        {parsed?.kind === "measurement" ? (
          <Link prefetch={false} href={roomHref(parsed.room)} className="text-sm text-accent hover:underline">
            ← {labelFromLevel(parsed.room)}
          </Link>
        ) : (
          <Link prefetch={false} href="/" className="text-sm text-accent hover:underline">
            ← {t("page.reading.allRooms")}
          </Link>
        )}
        <h1 className="mt-1 text-2xl font-bold">{title}</h1>
        <p className="font-mono text-sm text-muted">{topic}</p>
      </div>
      {/* The page follows only what its chart shows (issue 13); a discovered sensor's key is no home topic. */}
      {topic.startsWith("home/") && <LiveScope filters={[topic]} />}
      <HistoryChart topic={topic} label={title} />
      <p className="text-sm text-muted">{t("page.reading.zoomHint")}</p>
    </div>
  );
}
