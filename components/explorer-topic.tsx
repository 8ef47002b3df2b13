"use client";

// The explorer's view of one topic (issue 15): its last payload in full, JSON
// pretty-printed, when it last spoke, whether the broker keeps it, and its chart.
import { useEffect, useState } from "react";
import { z } from "zod";
import { HistoryChart } from "@/components/history-chart";
import { TimeAgo } from "@/components/time-ago";
import { useLocale, useT } from "@/components/use-t";
import { formatValue } from "@/lib/format";
import { readingHref } from "@/lib/links";
import { payloadView } from "@/lib/topic-search";

const payloadSchema = z.object({
  topic: z.string(),
  text: z.string(),
  binaryBytes: z.number().nullable(),
  truncated: z.boolean(),
  lastAt: z.number(),
  retained: z.boolean(),
  serverNow: z.number(),
});
type Payload = z.infer<typeof payloadSchema>;

/** The topic's last payload, fetched again whenever the list says a newer message came (`lastAt`). */
function usePayload(topic: string, lastAt: number): Payload | "error" | null {
  const [state, setState] = useState<Payload | "error" | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    fetch(`/api/topics?${new URLSearchParams({ topic })}`, { cache: "no-store", signal: abort.signal })
      .then(async (response) => {
        const parsed = payloadSchema.safeParse(await response.json());
        setState(response.ok && parsed.success ? parsed.data : "error");
      })
      .catch(() => {
        if (!abort.signal.aborted) setState("error");
      });
    return () => abort.abort();
  }, [topic, lastAt]);
  return state;
}

export function ExplorerTopic({ topic, lastAt, hasHistory }: { topic: string; lastAt: number; hasHistory: boolean }) {
  const t = useT();
  const locale = useLocale();
  const payload = usePayload(topic, lastAt);
  const view = payload && payload !== "error" ? payloadView(payload.text) : null;
  return (
    <section data-testid="explorer-topic" data-topic={topic} className="flex flex-col gap-2">
      <h2 className="font-mono text-sm font-semibold break-all">
        {hasHistory ? (
          <a href={readingHref(topic)} className="text-accent hover:underline">
            {topic}
          </a>
        ) : (
          topic
        )}
      </h2>
      {payload === "error" && <p className="text-sm text-danger">{t("explorer.payloadUnavailable")}</p>}
      {payload && payload !== "error" && (
        <>
          <p className="flex flex-wrap gap-x-3 text-sm text-muted">
            <span data-testid="last-seen">
              {t("explorer.lastMessage")}{" "}
              {/* The hub's clock, moved onto the browser's so the age reads right. */}
              <TimeAgo at={payload.lastAt + (Date.now() - payload.serverNow)} />
            </span>
            {payload.retained && <span className="font-medium text-accent">{t("explorer.retained")}</span>}
            {view?.kind === "json" && <span>JSON</span>}
          </p>
          <pre data-testid="payload" data-kind={view?.kind} className="max-h-96 overflow-auto rounded-md bg-canvas p-3 font-mono text-sm whitespace-pre-wrap break-all">
            {payload.binaryBytes !== null
              ? t("explorer.binary", { n: formatValue(payload.binaryBytes, locale) })
              : view?.kind === "empty" || !view
                ? t("explorer.empty")
                : view.text}
          </pre>
          {payload.truncated && <p className="text-xs text-muted">{t("explorer.payloadCut")}</p>}
        </>
      )}
      {hasHistory && <HistoryChart key={topic} topic={topic} label={topic} height={260} />}
    </section>
  );
}
