import Link from "next/link";
import { notFound } from "next/navigation";
import { RoomView } from "@/components/room-view";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "@/lib/devices/command";
import { getHub } from "@/lib/hub-link";
import { measurementName, readingLabel } from "@/lib/i18n/measurements";
import { getLocale } from "@/lib/i18n/server";
import { createTranslator } from "@/lib/i18n/translate";
import { readingHref } from "@/lib/links";
import { isRoomLevel } from "@/lib/live-scope";
import { labelFromLevel, parseHomeTopic } from "@/lib/topics";

// Reads the live store per request.
export const dynamic = "force-dynamic";

/** The room's measurement topics with history, sorted; a failing store shows as none. */
async function roomTopics(room: string): Promise<{ topic: string; measurement: string }[]> {
  try {
    const stored = (await getHub()?.history.topics()) ?? [];
    return stored.flatMap(({ topic }) => {
      const parsed = parseHomeTopic(topic);
      return parsed?.kind === "measurement" && parsed.room === room ? [{ topic, measurement: parsed.measurement }] : [];
    });
  } catch (error) {
    console.error("hearth: could not list the room's topics:", error);
    return [];
  }
}

export default async function RoomPage({ params }: { params: Promise<{ room: string }> }) {
  const room = decodeURIComponent((await params).room);
  // No room is named with a wildcard or a slash (topic names cannot hold one): /rooms/%23 or /rooms/%2B is no page.
  if (!isRoomLevel(room)) notFound();
  const label = labelFromLevel(room);
  const [topics, locale] = await Promise.all([roomTopics(room), getLocale()]);
  const t = createTranslator(locale);
  return (
    <div className="flex flex-col gap-4">
      <div>
        <Link prefetch={false} href="/" className="text-sm text-accent hover:underline">
          ← {t("page.reading.allRooms")}
        </Link>
        <h1 className="mt-1 text-2xl font-bold">{label}</h1>
      </div>
      {topics.length === 0 && (
        <p data-testid="room-empty" className="text-muted">
          {t("page.room.empty", { room: label })}
        </p>
      )}
      <RoomView
        room={room}
        roomLabel={label}
        devices={getHub()?.devices?.config ?? []}
        commandTimeoutMs={getHub()?.devices?.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS}
        charts={topics.map(({ topic, measurement }) => {
          const name = measurementName(measurement, locale);
          return {
            topic,
            label: readingLabel(room, measurement, locale),
            heading: (
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 className="text-lg font-semibold">
                  <Link prefetch={false} href={readingHref(topic)} className="hover:underline">
                    {name}
                  </Link>
                </h2>
                <Link prefetch={false} href={readingHref(`home/+/${measurement}`)} className="text-sm text-accent hover:underline">
                  {t("page.reading.everyRoom", { measurement: name })}
                </Link>
              </div>
            ),
          };
        })}
      />
    </div>
  );
}
