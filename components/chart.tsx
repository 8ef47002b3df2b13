"use client";

// The one module that knows recharts. Tiles and pages hand it a series and a time
// range; swapping the chart library means rewriting this file only.
import { Line, LineChart, Tooltip, XAxis, YAxis, type DotItemDotProps, type TooltipContentProps } from "recharts";
import { cn } from "@/lib/cn";
import { formatClock, formatReading, formatValue } from "@/lib/format";
import { Sparkline } from "@/components/sparkline";

export type ChartPoint = { readonly t: number; readonly v: number };

export type ChartProps = {
  /** Sorted by t, no two points at the same t. */
  series: readonly ChartPoint[];
  /** The time range to draw (epoch ms); the series lies within it. */
  domain: readonly [from: number, to: number];
  height: number;
  /** Shown after the value in the tooltip. */
  unit?: string;
  /** A sparkline has no axes; the full chart labels time and value. */
  variant?: "sparkline" | "full";
  /** What the chart shows, for screen readers: "Attic temperature, last hour". */
  label: string;
  className?: string;
};

/** Recharts draws a dot on every point or none; this draws only the newest. */
function LastPointDot({ cx, cy, index, points }: DotItemDotProps) {
  if (index !== points.length - 1 || cx === undefined || cy === undefined) return null;
  return <circle cx={cx} cy={cy} r={3} fill="var(--color-accent)" stroke="var(--color-surface)" strokeWidth={1.5} />;
}

function PointTooltip({ active, payload, unit }: Pick<TooltipContentProps, "active" | "payload"> & { unit: string }) {
  const point = payload?.[0]?.payload as ChartPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="rounded-md border border-line bg-surface px-2 py-1 text-xs shadow-sm">
      <span className="font-medium tabular-nums">{formatReading(point.v, unit)}</span>{" "}
      <span className="text-muted">at {formatClock(point.t)}</span>
    </div>
  );
}

const AUTO_RANGE: [string, string] = ["auto", "auto"];

export function Chart({ series, domain, height, unit = "", variant = "full", label, className }: ChartProps) {
  // A sparkline is drawn without recharts: a wall of live tiles re-draws hundreds a second.
  if (variant === "sparkline") {
    return <Sparkline series={series} domain={domain} height={height} unit={unit} label={label} className={className} />;
  }
  const sparkline = false;
  // Recharts rounds an "auto" range to readable ticks.
  const values = AUTO_RANGE;
  return (
    <div
      data-testid="chart"
      data-points={series.length}
      role="img"
      aria-label={label}
      className={cn("w-full", className)}
      style={{ height }}
    >
      <LineChart
        responsive
        style={{ width: "100%", height }}
        data={series}
        margin={sparkline ? { top: 4, right: 4, bottom: 4, left: 4 } : { top: 8, right: 12, bottom: 0, left: 0 }}
        // The wrapper is one image to assistive technology; keyboard stepping through points adds nothing.
        accessibilityLayer={false}
      >
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[domain[0], domain[1]]}
          hide={sparkline}
          tickFormatter={formatClock}
          tick={{ fill: "var(--color-muted)", fontSize: 12 }}
          stroke="var(--color-line)"
          minTickGap={32}
        />
        <YAxis
          dataKey="v"
          type="number"
          domain={values}
          hide={sparkline}
          tickFormatter={formatValue}
          tick={{ fill: "var(--color-muted)", fontSize: 12 }}
          stroke="var(--color-line)"
          width="auto"
        />
        <Tooltip
          isAnimationActive={false}
          cursor={{ stroke: "var(--color-line)" }}
          content={({ active, payload }) => <PointTooltip active={active} payload={payload} unit={unit} />}
        />
        <Line
          dataKey="v"
          type="monotone"
          stroke="var(--color-accent)"
          strokeWidth={2}
          dot={LastPointDot}
          activeDot={{ r: 4, fill: "var(--color-accent)", stroke: "var(--color-surface)" }}
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}
