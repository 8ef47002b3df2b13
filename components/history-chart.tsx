"use client";

// A full-size history chart for one topic or a filter (home/+/temperature draws
// every room's temperature): range picker, drag to zoom, the live tail on recent
// ranges, gaps as gaps, and CSV exports of exactly what it shows.
import { useCallback, useMemo, useState } from "react";
import { Chart, LINE_COLORS, useFullChartCode, type ChartLine } from "@/components/chart";
import { RangePicker } from "@/components/range-picker";
import { historyQuery, useHistorySeries, type HistoryState } from "@/components/use-history-series";
import { withViewerZone } from "@/lib/history/csv-time";
import { useNow } from "@/components/use-now";
import { useLocale, useT } from "@/components/use-t";
import { useTopics } from "@/components/use-topics";
import { useElementWidth } from "@/components/use-element-size";
import { formatTimeAgo } from "@/lib/format";
import { withGaps } from "@/lib/history/gaps";
import { historyProblemText } from "@/lib/history/history-problem";
import { DEFAULT_RANGE, isLive, type RangeSelection } from "@/lib/history/ranges";
import { mergeHistoryWithLive } from "@/lib/merge-series";
import { labelFromLevel, parseHomeTopic } from "@/lib/topics";

const NO_TOPICS: readonly string[] = [];
const MIN_POINTS = 60;
const MAX_POINTS = 2000;

/** "Attic" for home/attic/temperature on a chart of every room; the topic itself otherwise. */
function lineLabel(topic: string, multi: boolean, fallback: string): string {
  if (!multi) return fallback;
  const parsed = parseHomeTopic(topic);
  return parsed ? labelFromLevel(parsed.room) : topic;
}

/**
 * Where a preset's chart starts: at the range's start, or where its history does when
 * that is well inside the range, so a new install's ten minutes fill the chart instead
 * of a sliver at its right edge (issue 15); the chart then says since when.
 */
function dataStart(lines: readonly ChartLine[], from: number, to: number): number | null {
  let first = Infinity;
  for (const line of lines) {
    const p = line.points.find((point) => point.v !== null);
    if (p && p.t < first) first = p.t;
  }
  // Within the first 30 %: a gap in sparse history, not where it starts.
  if (!Number.isFinite(first) || first - from < (to - from) * 0.3) return null;
  return first;
}

export function HistoryChart({
  topic,
  label,
  height = 320,
  initialRange = DEFAULT_RANGE,
  selection: controlled,
  onSelect,
}: {
  /** A topic, or a filter with wildcards for several lines. */
  topic: string;
  label: string;
  height?: number;
  initialRange?: RangeSelection;
  /** A page with several charts and one range picker (a room) controls the range; then no picker here. */
  selection?: RangeSelection;
  onSelect?: (selection: RangeSelection) => void;
}) {
  const locale = useLocale();
  const t = useT();
  const [own, setOwn] = useState<RangeSelection>(initialRange);
  const selection = controlled ?? own;
  const setSelection = onSelect ?? setOwn;
  const [ref, measured] = useElementWidth();
  // The point budget in steps of 50 px, so a small resize does not fetch again.
  const width = measured === null ? null : Math.round(measured / 50) * 50 || MIN_POINTS;
  const points = width === null ? null : Math.min(Math.max(width, MIN_POINTS), MAX_POINTS);
  const { state, retry } = useHistorySeries(topic, selection, points);
  const drawable = useFullChartCode();
  const live = isLive(selection);
  const ready = state.status === "ready" ? state : null;

  const topics = useMemo(() => (ready && live ? ready.series.map((s) => s.topic) : NO_TOPICS), [ready, live]);
  const snapshots = useTopics(topics);
  const clock = useNow(5000);
  // Only a live range slides with the clock; a fixed one need not redraw every tick.
  const now = live ? clock : null;

  // The lines change with the points (a fetch, a live reading), not with the clock.
  const lines = useMemo(() => {
    if (!ready) return null;
    const multi = topic.includes("+") || topic.includes("#");
    return ready.series.map((s, i): ChartLine => {
      const tail = live ? (snapshots[i]?.points ?? []) : [];
      const merged = live
        ? mergeHistoryWithLive(s.points, tail, { clockOffsetMs: ready.clockOffsetMs, clockUncertaintyMs: ready.clockUncertaintyMs, windowStart: ready.from })
        : s.points;
      return { id: s.topic, label: lineLabel(s.topic, multi, label), points: withGaps(merged, s.bucketMs) };
    });
  }, [ready, live, snapshots, topic, label]);

  const view = useMemo(() => {
    if (!ready || !lines) return null;
    const end = live && now !== null ? Math.max(ready.to, now + ready.clockOffsetMs) : ready.to;
    const since = selection.kind === "preset" ? dataStart(lines, ready.from, end) : null;
    // A little air before the first point, so it is not drawn on the axis.
    const start = since === null ? ready.from : Math.max(ready.from, since - (end - since) * 0.02);
    return { lines, domain: [start, end] as const, since };
  }, [ready, lines, live, now, selection]);
  // Stable across the clock's ticks, so a tick that moves nothing redraws nothing (Chart is memo).
  const zoom = useCallback((from: number, to: number) => setSelection({ kind: "custom", from, to }), [setSelection]);

  const tiers = ready ? [...new Set(ready.series.map((s) => s.tier))].join(",") : "";
  // Exports name their time zone: the viewer's, as the chart shows it (issue 15).
  const csvQuery = ready ? withViewerZone(historyQuery(topic, ready.from, ready.to, ready.points)) : null;
  const rangeId = selection.kind === "preset" ? selection.preset : "custom";

  return (
    <section
      data-testid="history-chart"
      data-topic={topic}
      data-range={rangeId}
      data-state={chartState(state, view, selection, drawable)}
      data-tier={tiers}
      data-bucket-ms={ready ? Math.max(0, ...ready.series.map((s) => s.bucketMs)) : ""}
      data-budget={ready?.points ?? ""}
      data-from={ready?.from ?? ""}
      data-to={ready?.to ?? ""}
      className="flex flex-col gap-3 rounded-2xl border border-line bg-surface p-4 shadow-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        {controlled === undefined && (
          <RangePicker selection={selection} onChange={setSelection} shown={ready && { from: ready.from, to: ready.to }} />
        )}
        {view?.since != null && (
          <p data-testid="chart-since" data-since={view.since} className="text-sm text-muted">
            {t("chart.since", { ago: formatTimeAgo(view.since - ready!.clockOffsetMs, clock ?? view.since, locale) })}
          </p>
        )}
        {csvQuery && (
          <div className="flex gap-3 text-sm">
            <a data-testid="csv-chart" className="text-accent hover:underline" href={`/api/history/csv?${csvQuery}`} download>
              {t("chart.csv")}
            </a>
            <a data-testid="csv-raw" className="text-accent hover:underline" href={`/api/history/raw?${csvQuery}`} download>
              {t("chart.rawCsv")}
            </a>
          </div>
        )}
      </div>
      <div ref={ref} className="w-full" style={{ minHeight: height }}>
        {state.status === "error" && (
          <p data-testid="chart-error" className="flex h-full items-center gap-2 text-sm text-muted" style={{ height }}>
            {t("chart.unavailable", { reason: historyProblemText(t, state.problem) })}
            <button type="button" className="font-medium text-accent hover:underline" onClick={retry}>
              {t("chart.retry")}
            </button>
          </p>
        )}
        {state.status === "loading" && (
          <div data-testid="chart-loading" aria-hidden className="animate-pulse rounded-md bg-line/50" style={{ height }} />
        )}
        {view && view.lines.every((l) => l.points.length === 0) && (
          <p data-testid="chart-empty" className="flex items-center justify-center text-sm text-muted" style={{ height }}>
            {t("chart.empty")}
          </p>
        )}
        {view && view.lines.some((l) => l.points.length > 0) && (
          <Chart
            // A new range draws a new chart: nothing of the last range's axis is left behind.
            key={selection.kind === "preset" ? selection.preset : `${selection.from}-${selection.to}`}
            lines={view.lines}
            domain={view.domain}
            height={height}
            unit={ready!.series[0]?.unit ?? ""}
            label={label}
            onZoom={zoom}
          />
        )}
      </div>
      {view && view.lines.length > 1 && (
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label={t("chart.lines")}>
          {view.lines.map((l, i) => (
            <li key={l.id} className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block h-0.5 w-4" style={{ background: lineColor(i) }} />
              {l.label}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * "ready" only once the points on screen answer the range picked now: with the chart's
 * code here too, not while its placeholder stands in (the CI flake of charts.spec.ts:80).
 */
function chartState(state: HistoryState, view: { lines: ChartLine[] } | null, selection: RangeSelection, drawable: boolean): string {
  if (state.status !== "ready") return state.status;
  if (state.refreshing || state.selection !== selection) return "loading";
  if (!view!.lines.some((l) => l.points.length > 0)) return "empty";
  return drawable ? "ready" : "loading";
}

function lineColor(i: number): string {
  return LINE_COLORS[i % LINE_COLORS.length];
}
