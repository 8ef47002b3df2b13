"use client";

// The one chart component. Tiles and pages hand it series and a time range; only
// it and components/chart-full.tsx know recharts, so swapping the chart library
// means rewriting those two files.
//
// A point with `v: null` is a gap: the line breaks there instead of bridging an
// outage (lib/history/gaps.ts inserts them). A single full-size series with min/max
// draws them as a band behind the mean, so a one-reading spike stays visible.
//
// recharts itself loads lazily (components/chart-full.tsx): the dashboard draws only
// sparklines, and its first load should not carry a chart library (issue 15).
import dynamic from "next/dynamic";
import { memo, useEffect, useState } from "react";
import { Sparkline } from "@/components/sparkline";
import type { PathPoint } from "@/lib/sparkline-path";

const loadFullChart = () => import("@/components/chart-full");

/** The full chart, fetched the first time one is drawn; a quiet placeholder of its size meanwhile. */
const FullChart = dynamic(loadFullChart, {
  ssr: false,
  loading: () => <div data-testid="chart-loading" aria-hidden className="w-full animate-pulse rounded-md bg-line/50" style={{ height: "100%" }} />,
});

export type ChartPoint = { readonly t: number; readonly v: number | null; readonly min?: number; readonly max?: number };

export type ChartLine = { readonly id: string; readonly label: string; readonly points: readonly ChartPoint[] };

export type ChartProps = {
  /** One line: sorted by t, no two points at the same t. */
  series?: readonly ChartPoint[];
  /** Several lines on one chart (each sorted by t); used instead of `series`. */
  lines?: readonly ChartLine[];
  /** The time range to draw (epoch ms); the series lies within it. */
  domain: readonly [from: number, to: number];
  height: number;
  /** Shown after the value in the tooltip. */
  unit?: string;
  /** A sparkline has no axes; the full chart labels time and value. */
  variant?: "sparkline" | "full";
  /** What the chart shows, for screen readers: "Attic temperature, last hour". */
  label: string;
  /** Called with the time range a person selected by dragging across the chart. */
  onZoom?: (from: number, to: number) => void;
  className?: string;
};

/** Line colours: the accent first, then hues that stay apart in light and dark mode. */
export const LINE_COLORS = ["var(--color-accent)", "#2f80ed", "#27ae60", "#9b51e0", "#eb5757", "#f2994a", "#56ccf2", "#a0785a"];

/**
 * The one chart component. Sparklines (a tile's last hour) are drawn as a plain SVG
 * path (components/sparkline.tsx): a wall of live tiles re-draws hundreds a second,
 * and recharts costs milliseconds each (bench/README.md). Full charts use recharts.
 * Memo: a parent's re-render with the same points and range (a clock tick for the
 * "since" label, a connection change) redraws nothing; recharts redraws every path.
 */
export const Chart = memo(function Chart(props: ChartProps) {
  if (props.variant === "sparkline") {
    return (
      <Sparkline
        series={sparklinePoints(props.series ?? props.lines?.[0]?.points ?? [])}
        domain={props.domain}
        height={props.height}
        unit={props.unit}
        label={props.label}
        className={props.className}
      />
    );
  }
  return (
    <div className="w-full" style={{ height: props.height }}>
      <FullChart {...props} colors={LINE_COLORS} />
    </div>
  );
});

/**
 * Starts fetching the full chart's code now, beside the history request, instead of once
 * the points have arrived (one after the other, that was seconds of placeholder on a busy
 * machine: 4.5 s at load 7); true once it is here, so a chart says "ready" only when it can
 * draw. A failed fetch counts as here: the chart then shows what the loader shows, not
 * "loading" for ever.
 */
export function useFullChartCode(): boolean {
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    let mounted = true;
    const done = () => mounted && setLoaded(true);
    loadFullChart().then(done, done);
    return () => {
      mounted = false;
    };
  }, []);
  return loaded;
}

/** A sparkline draws one unbroken line: gap markers have no value to draw. */
function sparklinePoints(points: readonly ChartPoint[]): PathPoint[] {
  const out: PathPoint[] = [];
  for (const p of points) if (p.v !== null) out.push({ t: p.t, v: p.v });
  return out;
}

