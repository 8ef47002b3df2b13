"use client";

// The one module that knows recharts. Tiles and pages hand it series and a time
// range; swapping the chart library means rewriting this file only.
//
// A point with `v: null` is a gap: the line breaks there instead of bridging an
// outage (lib/history/gaps.ts inserts them). A single full-size series with min/max
// draws them as a band behind the mean, so a one-reading spike stays visible.
import { useMemo, useRef, useState, type PointerEvent } from "react";
import { Sparkline } from "@/components/sparkline";
import type { PathPoint } from "@/lib/sparkline-path";
import {
  Area,
  ComposedChart,
  Line,
  Tooltip,
  usePlotArea,
  useXAxisInverseScale,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from "recharts";
import { cn } from "@/lib/cn";
import { useLocale, useT } from "@/components/use-t";
import { formatClock, formatReading, formatValue } from "@/lib/format";

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
  /** Tick labels for long ranges show the date; the default shows the clock. */
  tickFormatter?: (t: number) => string;
  className?: string;
};

/** Line colours: the accent first, then hues that stay apart in light and dark mode. */
export const LINE_COLORS = ["var(--color-accent)", "#2f80ed", "#27ae60", "#9b51e0", "#eb5757", "#f2994a", "#56ccf2", "#a0785a"];

function PointTooltip({
  active,
  payload,
  unit,
}: Pick<TooltipContentProps, "active" | "payload"> & { unit: string }) {
  const locale = useLocale();
  const t = useT();
  const entries = (payload ?? []).filter((e) => e.dataKey === "v" && (e.payload as ChartPoint)?.v != null);
  if (!active || entries.length === 0) return null;
  const first = entries[0].payload as ChartPoint;
  return (
    <div className="rounded-md border border-line bg-surface px-2 py-1 text-xs shadow-sm">
      {entries.map((e) => {
        const p = e.payload as ChartPoint;
        return (
          <div key={String(e.name)}>
            {entries.length > 1 && <span style={{ color: e.color }}>{e.name} </span>}
            <span className="font-medium tabular-nums">{formatReading(p.v!, unit, locale)}</span>
            {p.min !== undefined && p.max !== undefined && p.min !== p.max && (
              <span className="text-muted"> ({formatValue(p.min, locale)}–{formatValue(p.max, locale)})</span>
            )}
          </div>
        );
      })}
      <span className="text-muted">{t("chart.at", { time: formatClock(first.t, locale) })}</span>
    </div>
  );
}

const AUTO_RANGE: [string, string] = ["auto", "auto"];

const band = (p: ChartPoint) => (p.v === null ? null : [p.min ?? p.v, p.max ?? p.v]);

/** Drag across the plot to pick a time range; a click (under 5 px) selects nothing. */
function ZoomSelection({ onZoom }: { onZoom: (from: number, to: number) => void }) {
  const plot = usePlotArea();
  const invert = useXAxisInverseScale();
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null);
  // The handlers read the drag from a ref: on a busy page the next pointer event can
  // come before React has rendered the last one's state, and a stale `drag` lost the move.
  const dragRef = useRef<{ x0: number; x1: number } | null>(null);
  const update = (next: { x0: number; x1: number } | null) => {
    dragRef.current = next;
    setDrag(next);
  };
  if (!plot || !invert) return null;
  const toX = (e: PointerEvent<SVGRectElement>) => {
    const box = e.currentTarget.ownerSVGElement!.getBoundingClientRect();
    return Math.min(Math.max(e.clientX - box.left, plot.x), plot.x + plot.width);
  };
  const left = drag ? Math.min(drag.x0, drag.x1) : 0;
  const width = drag ? Math.abs(drag.x1 - drag.x0) : 0;
  return (
    <g>
      <rect
        data-testid="chart-zoom-area"
        x={plot.x}
        y={plot.y}
        width={plot.width}
        height={plot.height}
        fill="transparent"
        style={{ cursor: "crosshair", touchAction: "none" }}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const x = toX(e);
          update({ x0: x, x1: x });
        }}
        onPointerMove={(e) => dragRef.current && update({ x0: dragRef.current.x0, x1: toX(e) })}
        onPointerUp={() => {
          const d = dragRef.current;
          if (d && Math.abs(d.x1 - d.x0) >= 5) {
            const from = Number(invert(Math.min(d.x0, d.x1)));
            const to = Number(invert(Math.max(d.x0, d.x1)));
            if (Number.isFinite(from) && Number.isFinite(to) && to > from) onZoom(Math.round(from), Math.round(to));
          }
          update(null);
        }}
        onPointerCancel={() => update(null)}
      />
      {drag && (
        <rect
          data-testid="chart-zoom-selection"
          x={left}
          y={plot.y}
          width={width}
          height={plot.height}
          fill="var(--color-accent)"
          fillOpacity={0.15}
          pointerEvents="none"
        />
      )}
    </g>
  );
}

/**
 * The one chart component. Sparklines (a tile's last hour) are drawn as a plain SVG
 * path (components/sparkline.tsx): a wall of live tiles re-draws hundreds a second,
 * and recharts costs milliseconds each (bench/README.md). Full charts use recharts.
 */
export function Chart(props: ChartProps) {
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
  return <FullChart {...props} />;
}

/** A sparkline draws one unbroken line: gap markers have no value to draw. */
function sparklinePoints(points: readonly ChartPoint[]): PathPoint[] {
  const out: PathPoint[] = [];
  for (const p of points) if (p.v !== null) out.push({ t: p.t, v: p.v });
  return out;
}

function FullChart({
  series,
  lines,
  domain,
  height,
  unit = "",
  label,
  onZoom,
  tickFormatter,
  className,
}: ChartProps) {
  const locale = useLocale();
  const drawn: readonly ChartLine[] = useMemo(
    () => lines ?? [{ id: "v", label, points: series ?? [] }],
    [lines, series, label],
  );
  const pointCount = useMemo(
    () => drawn.reduce((n, line) => n + line.points.filter((p) => p.v !== null).length, 0),
    [drawn],
  );
  const showBand = drawn.length === 1 && drawn[0].points.some((p) => p.min !== undefined);
  return (
    <div
      data-testid="chart"
      data-points={pointCount}
      data-lines={drawn.length}
      role="img"
      aria-label={label}
      className={cn("w-full select-none", className)}
      style={{ height }}
    >
      <ComposedChart
        responsive
        style={{ width: "100%", height }}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
        // The wrapper is one image to assistive technology; keyboard stepping through points adds nothing.
        accessibilityLayer={false}
      >
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[domain[0], domain[1]]}
          allowDataOverflow
          tickFormatter={tickFormatter ?? ((t: number) => formatClock(t, locale))}
          tick={{ fill: "var(--color-muted)", fontSize: 12 }}
          stroke="var(--color-line)"
          minTickGap={32}
        />
        <YAxis
          type="number"
          domain={AUTO_RANGE}
          tickFormatter={(v: number) => formatValue(v, locale)}
          tick={{ fill: "var(--color-muted)", fontSize: 12 }}
          stroke="var(--color-line)"
          width="auto"
        />
        <Tooltip
          isAnimationActive={false}
          cursor={{ stroke: "var(--color-line)" }}
          content={({ active, payload }) => <PointTooltip active={active} payload={payload} unit={unit} />}
        />
        {showBand && (
          <Area
            data={drawn[0].points as ChartPoint[]}
            dataKey={band}
            // The envelope's edges are drawn too: a one-bucket spike is a sliver of fill but a clear line.
            stroke="var(--color-accent)"
            strokeOpacity={0.45}
            strokeWidth={1}
            fill="var(--color-accent)"
            fillOpacity={0.18}
            isAnimationActive={false}
            activeDot={false}
            connectNulls={false}
          />
        )}
        {drawn.map((line, i) => (
          <Line
            key={line.id}
            data={line.points as ChartPoint[]}
            name={line.label}
            dataKey="v"
            type="linear"
            stroke={LINE_COLORS[i % LINE_COLORS.length]}
            strokeWidth={1.5}
            dot={false}
            activeDot={{ r: 4, fill: LINE_COLORS[i % LINE_COLORS.length], stroke: "var(--color-surface)" }}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
        {onZoom && <ZoomSelection onZoom={onZoom} />}
      </ComposedChart>
    </div>
  );
}
