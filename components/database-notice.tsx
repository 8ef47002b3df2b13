"use client";

import { useEffect, useState } from "react";
import { useNow } from "@/components/use-now";
import { useLocale, useT } from "@/components/use-t";
import { formatMoment } from "@/lib/format";
import type { PublicDatabaseStatus } from "@/lib/pg/public-status";
import type { DatabaseStatus } from "@/lib/pg/watch";

/** How often an open page asks again: an outage shows, and its end clears, without a reload. */
const POLL_MS = 10_000;

/**
 * "Database unreachable since 14:05" while the hub's PostgreSQL does not answer
 * (issue 14). Live values keep coming over MQTT meanwhile; charts, exports and
 * changes to rules and accounts wait for it. Nothing shows on a SQLite hub. On the
 * login page too (signed out, without the message), so its end shows there as well.
 */
export function DatabaseNotice({ initial }: { initial: DatabaseStatus | PublicDatabaseStatus | null }) {
  const t = useT();
  const locale = useLocale();
  const now = useNow(60_000);
  const [status, setStatus] = useState(initial);
  useEffect(() => {
    if (initial === null) return;
    const poll = async () => {
      if (document.visibilityState !== "visible") return;
      const answer = await fetch("/api/database", { cache: "no-store" }).catch(() => null);
      if (answer?.ok) setStatus(((await answer.json()) as { status: DatabaseStatus | PublicDatabaseStatus | null }).status);
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [initial]);
  if (status?.state !== "down") return null;
  return (
    <p
      data-testid="database-down"
      data-code={status.code}
      role="alert"
      // Signed out there is no message: it names the database (api/database/route.ts).
      title={"message" in status ? status.message : undefined}
      className="mx-auto mt-2 max-w-screen-2xl rounded-md bg-warn/15 px-4 py-2 text-sm font-semibold text-warn"
    >
      {t("database.down", { time: formatMoment(status.since, now ?? status.since, locale) })}
    </p>
  );
}
