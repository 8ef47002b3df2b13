"use client";

// The full chart, the one file that imports recharts (issue 15): loaded by
// components/chart.tsx only where a chart is drawn, so the dashboard's sparklines
// do not carry the library into the first load of `/`.
//
// Ticks are computed here, not by recharts: values on round numbers with the unit,
// times on round local times that name the day where the range crosses one
// (lib/chart-scale.ts), none close enough to an edge to be cut.
import { useMemo, useRef, useState, type PointerEvent } from "react";
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
import type { ChartLine, ChartPoint, ChartProps } from "@/components/chart";
import { useElementWidth } from "@/components/use-element-size";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { minimumSpan, timeTicks, valueScale, type TimeTick } from "@/lib/chart-scale";
import { formatClock, formatClockSeconds, formatDay, formatReading, formatValue } from "@/lib/format";
import type { Locale } from "@/lib/i18n/translate";

/** About one time label per this many pixels: "Nov 30, 14:00" fits with air around it. */
const PX_PER_TIME_TICK = 110;
/** About one value label per this many pixels of height. */
const PX_PER_VALUE_TICK = 45;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** "14:00"; "Nov 30" at a midnight; "Nov 30, 14:00" where a new day starts elsewhere; seconds on short zooms. */
function timeLabel(tick: TimeTick, locale: Locale): string {
  const atMidnight = new Date(tick.t).getHours() === 0 && new Date(tick.t).getMinutes() === 0;
  if (tick.step >= DAY || (tick.newDay && atMidnight && tick.step >= 60 * MINUTE)) return formatDay(tick.t, locale);
  const clock = tick.step < MINUTE ? formatClockSeconds(tick.t, locale) : formatClock(tick.t, locale);
  return tick.newDay ? `${formatDay(tick.t, locale)}, ${clock}` : clock;
}

/** The lowest and highest value drawn (band edges included). */
function valueExtent(lines: readonly ChartLine[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const line of lines) {
    for (const p of line.points) {
      if (p.v === null) continue;
      min = Math.min(min, p.min ?? p.v);
      max = Math.max(max, p.max ?? p.v);
    }
  }
  return [min, max];
}

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

export default function FullChart({
  series,
  lines,
  domain,
  height,
  unit = "",
  label,
  onZoom,
  className,
  colors,
}: ChartProps & { colors: readonly string[] }) {
  const locale = useLocale();
  const [box, width] = useElementWidth();
  const drawn: readonly ChartLine[] = useMemo(
    () => lines ?? [{ id: "v", label, points: series ?? [] }],
    [lines, series, label],
  );
  const pointCount = useMemo(
    () => drawn.reduce((n, line) => n + line.points.filter((p) => p.v !== null).length, 0),
    [drawn],
  );
  const showBand = drawn.length === 1 && drawn[0].points.some((p) => p.min !== undefined);
  const [from, to] = domain;
  const ticks = useMemo(
    () => timeTicks(from, to, Math.max(2, Math.floor((width ?? 600) / PX_PER_TIME_TICK))),
    [from, to, width],
  );
  const labels = useMemo(() => new Map(ticks.map((tick) => [tick.t, timeLabel(tick, locale)])), [ticks, locale]);
  const values = useMemo(() => {
    const [min, max] = valueExtent(drawn);
    return valueScale(min, max, minimumSpan(unit, max), Math.max(2, Math.floor(height / PX_PER_VALUE_TICK)));
  }, [drawn, unit, height]);
  return (
    <div
      data-testid="chart"
      data-points={pointCount}
      data-lines={drawn.length}
      ref={box}
      role="img"
      aria-label={label}
      className={cn("w-full select-none", className)}
      style={{ height }}
    >
      <ComposedChart
        responsive
        style={{ width: "100%", height }}
        margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        // The wrapper is one image to assistive technology; keyboard stepping through points adds nothing.
        accessibilityLayer={false}
      >
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[from, to]}
          allowDataOverflow
          ticks={ticks.map((tick) => tick.t)}
          interval={0}
          tickFormatter={(t: number) => labels.get(t) ?? formatClock(t, locale)}
          tick={{ fill: "var(--color-muted)", fontSize: 12 }}
          stroke="var(--color-line)"
        />
        <YAxis
          type="number"
          domain={values.domain}
          ticks={values.ticks}
          interval={0}
          allowDataOverflow
          // The unit on the axis, so a tick reads as a reading: "21.5 °C".
          tickFormatter={(v: number) => formatReading(v, unit, locale)}
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
            stroke={colors[i % colors.length]}
            strokeWidth={1.5}
            dot={false}
            activeDot={{ r: 4, fill: colors[i % colors.length], stroke: "var(--color-surface)" }}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
        {onZoom && <ZoomSelection onZoom={onZoom} />}
      </ComposedChart>
    </div>
  );
}
