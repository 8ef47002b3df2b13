"use client";

// The last hour of one topic: history from the hub, continued by live readings.
// History comes through the charts' one hook and endpoint (use-history-series.ts,
// /api/history/series), fetched again after every reconnect, since readings
// published while the connection was down (a hub restart, a sleeping tablet) never
// arrive live.
import { memo, useMemo, useRef, useState } from "react";
import { Chart } from "@/components/chart";
import { useHistorySeries } from "@/components/use-history-series";
import { useOnScreen } from "@/components/use-on-screen";
import { useClock } from "@/components/use-now";
import { useTopic } from "@/components/use-topic";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { historyProblemText } from "@/lib/history/history-problem";
import type { RangeSelection } from "@/lib/history/ranges";
import type { LivePoint } from "@/lib/live-point";
import { mergeHistoryWithLive } from "@/lib/merge-series";

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

/** The sparkline's window: the last hour, ending at the hub's now. */
const LAST_HOUR: RangeSelection = { kind: "preset", preset: "1h" };

/**
 * Memoised: its row re-renders only when its label, unit, error or availability
 * change, and the sparkline follows the store by itself, and only while on screen. A wall of a thousand sensors then draws the
 * few sparklines in view and fetches history only for tiles that have been seen
 * (bench/README.md, "dashboard under load").
 */
export const ReadingSparkline = memo(function ReadingSparkline({
  topic,
  unit,
  label,
  height = 52,
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
  // Asked for only once the tile has been on screen (points null until then); the
  // hook waits for the first connection attempt to settle, and refetches after each reconnect.
  const { state, retry } = useHistorySeries(topic, LAST_HOUR, seen ? HISTORY_POINTS : null);
  const t = useT();
  const newest = live.length > 0 ? live[live.length - 1].t : -Infinity;
  // Slides the window along when no readings arrive; null until hydrated. A sensor
  // that reported within the tick needs no slide (its readings move the window), so
  // a wall of live tiles does not re-draw all at once every 30 s.
  const now = useClock(30_000, (t) => (t - newest < 30_000 ? 0 : t));

  // The last good answer stays drawn when a refetch fails (a hub restart): a line
  // with a gap says more than "unavailable". Kept while rendering, not by an effect.
  const [answered, setAnswered] = useState<Extract<typeof state, { status: "ready" }> | null>(null);
  if (state.status === "ready" && state !== answered) setAnswered(state);
  const failure = state.status === "error" && answered === null ? state.problem : null;

  const series = useMemo(() => {
    if (!answered || now === null) return null;
    const { clockOffsetMs, clockUncertaintyMs } = answered;
    const history = { points: answered.series[0]?.points ?? [], clockOffsetMs };
    const end = Math.max(now, newest) + history.clockOffsetMs;
    const windowStart = end - HOUR;
    const points = mergeHistoryWithLive(history.points, live, { clockOffsetMs, clockUncertaintyMs, windowStart });
    // A sensor seen for only a few minutes fills the width instead of a sliver at the right edge.
    const start = points.length >= 2 ? Math.max(windowStart, points[0].t) : windowStart;
    return { points, domain: [start, end] as const };
  }, [answered, live, newest, now]);

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
  } else if (failure?.code === "no-answer") {
    // The hub is unreachable: the page says so once (StaleNotice) and this tile fetches
    // again by itself when the connection is back (the epoch above), so no message or
    // Retry here, fourteen times over (issue 15).
    content = <div data-testid="chart-unreachable" aria-hidden className="rounded-md bg-line/30" style={{ height }} />;
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
          onClick={retry}
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
