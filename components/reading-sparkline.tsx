"use client";

// The last hour of one topic: history from the hub, continued by live readings.
// History is fetched again after every reconnect, since readings published while
// the connection was down (a hub restart, a sleeping tablet) never arrive live.
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { Chart } from "@/components/chart";
import { useConnection } from "@/components/use-connection";
import { useOnScreen } from "@/components/use-on-screen";
import { useClock } from "@/components/use-now";
import { useTopic } from "@/components/use-topic";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { historyProblemText, refusal, type HistoryProblem } from "@/lib/history/history-problem";
import type { HistoryPoint } from "@/lib/history/store";
import type { LivePoint } from "@/lib/live-point";
import { estimateClockOffset, mergeHistoryWithLive } from "@/lib/merge-series";

const HOUR = 60 * 60 * 1000;
/** About the sparkline's width in pixels: more points than that draw nothing new. */
const HISTORY_POINTS = 240;
/**
 * An hour across about 240 pixels moves a pixel every 15 s; redrawing once a second
 * still shows a new reading at once after a quiet spell, and spares the page a redraw
 * per reading of a sensor that sends ten a second (bench/README.md, "publish → pixels").
 */
const REDRAW_AT_MOST_EVERY_MS = 1000;
const NO_POINTS: readonly LivePoint[] = [];

type History = { points: HistoryPoint[]; clockOffsetMs: number };

type Fetched = { ok: true; points: HistoryPoint[]; serverNow: number } | { ok: false; problem: HistoryProblem };

const isFiniteNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

function isHistoryPoint(x: unknown): x is HistoryPoint {
  const p = x as HistoryPoint | null;
  return typeof p === "object" && p !== null && isFiniteNumber(p.t) && isFiniteNumber(p.v);
}

/** GET /api/history, checked at the edge; never throws except on abort. */
async function fetchHistory(topic: string, from: number, signal: AbortSignal): Promise<Fetched> {
  // No `to`: the hub answers up to its own now, whatever the browser's clock says.
  const query = new URLSearchParams({ topic, from: String(from), points: String(HISTORY_POINTS) });
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(`/api/history?${query}`, { signal, cache: "no-store" });
    body = await response.json();
  } catch (error) {
    if (signal.aborted) throw error;
    return { ok: false, problem: { code: "no-answer" } };
  }
  const data = body as { serverNow?: unknown; points?: unknown } | null;
  if (!response.ok) return { ok: false, problem: refusal(body, response.status) };
  if (!data || !isFiniteNumber(data.serverNow) || !Array.isArray(data.points) || !data.points.every(isHistoryPoint)) {
    return { ok: false, problem: { code: "bad-answer" } };
  }
  return { ok: true, points: data.points, serverNow: data.serverNow };
}

/**
 * Memoised: its row re-renders on every reading, and the sparkline follows the store
 * by itself, and only while on screen. A wall of a thousand sensors then draws the
 * few sparklines in view and fetches history only for tiles that have been seen
 * (bench/README.md, "dashboard under load").
 */
export const ReadingSparkline = memo(function ReadingSparkline({
  topic,
  unit,
  label,
  height = 48,
}: {
  topic: string;
  unit: string;
  /** "Attic temperature": what the chart is of, for screen readers. */
  label: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  // Watched per room card (its <section>), not per sparkline: a tenth of the targets.
  const onScreen = useOnScreen(box, "section");
  const [seen, setSeen] = useState(false);
  if (onScreen && !seen) setSeen(true);
  const live = useTopic(topic, onScreen, REDRAW_AT_MOST_EVERY_MS)?.points ?? NO_POINTS;
  // Null during the first connection attempt: fetching only once it settles saves a
  // second request per tile at page load, when the first connect bumps the epoch.
  const epoch = useConnection((c) => (c.status === "connecting" ? null : c.epoch));
  const [history, setHistory] = useState<History | null>(null);
  const [failure, setFailure] = useState<HistoryProblem | null>(null);
  const t = useT();
  const [retries, setRetries] = useState(0);
  const newest = live.length > 0 ? live[live.length - 1].t : -Infinity;
  // Slides the window along when no readings arrive; null until hydrated. A sensor
  // that reported within the tick needs no slide (its readings move the window), so
  // a wall of live tiles does not re-draw all at once every 30 s.
  const now = useClock(30_000, (t) => (t - newest < 30_000 ? 0 : t));

  // The last estimate shapes the next request without being a reason to send one.
  const clockOffsetMs = useRef(0);
  useEffect(() => {
    if (epoch === null || !seen) return;
    const abort = new AbortController();
    const sentAt = Date.now();
    // In hub time; the first request can only assume the clocks agree.
    const from = sentAt + clockOffsetMs.current - HOUR;
    fetchHistory(topic, from, abort.signal).then(
      (result) => {
        if (!result.ok) {
          setFailure(result.problem);
          return;
        }
        clockOffsetMs.current = estimateClockOffset(result.serverNow, sentAt, Date.now());
        setHistory({ points: result.points, clockOffsetMs: clockOffsetMs.current });
        setFailure(null);
      },
      () => {}, // aborted: the tile unmounted or a newer request replaced this one
    );
    return () => abort.abort();
  }, [topic, epoch, retries, seen]);

  const series = useMemo(() => {
    if (!history || now === null) return null;
    const end = Math.max(now, newest) + history.clockOffsetMs;
    const windowStart = end - HOUR;
    const points = mergeHistoryWithLive(history.points, live, { clockOffsetMs: history.clockOffsetMs, windowStart });
    // A sensor seen for only a few minutes fills the width instead of a sliver at the right edge.
    const start = points.length >= 2 ? Math.max(windowStart, points[0].t) : windowStart;
    return { points, domain: [start, end] as const };
  }, [history, live, newest, now]);

  let content;
  if (series) {
    content = (
      <Chart
        variant="sparkline"
        series={series.points}
        domain={series.domain}
        height={height}
        unit={unit}
        label={t("chart.lastHour", { label })}
      />
    );
  } else if (failure !== null) {
    content = (
      <p
        data-testid="chart-error"
        className="flex items-center gap-2 text-xs text-muted"
        style={{ height }}
        title={historyProblemText(t, failure)}
      >
        {t("chart.unavailableShort")}
        <button
          type="button"
          className="rounded px-1.5 py-0.5 font-medium text-accent underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-accent"
          onClick={() => {
            setFailure(null);
            setRetries((n) => n + 1);
          }}
        >
          {t("chart.retry")}
        </button>
      </p>
    );
  } else {
    // Pulses only on screen: a thousand off-screen placeholders, each a running CSS
    // animation, cost the page a third of its frame time (bench/README.md).
    content = (
      <div
        data-testid="chart-loading"
        aria-hidden
        className={cn("rounded-md bg-line/50", onScreen && "animate-pulse")}
        style={{ height }}
      />
    );
  }
  return <div ref={box}>{content}</div>;
});
