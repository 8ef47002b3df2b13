"use client";

// A sparkline drawn as one SVG path, without recharts: a dashboard of live tiles
// re-draws hundreds of them a second, and a recharts render costs milliseconds where
// this costs microseconds (bench/README.md, "dashboard under load"). Chart renders
// it for its "sparkline" variant, so tiles still know only Chart.
import { useMemo, useState, type PointerEvent } from "react";
import { cn } from "@/lib/cn";
import { useLocale } from "@/components/use-t";
import { useT } from "@/components/use-t";
import { minimumSpan } from "@/lib/chart-scale";
import { formatClock, formatReading, formatValue } from "@/lib/format";
import { extent, linePath, nearestIndex, project, valueDomain, type PathPoint } from "@/lib/sparkline-path";

/** The path's own coordinate box; the SVG stretches it to the tile, the stroke keeps its width. */
const BOX = { width: 1000, height: 100 } as const;

export type SparklineProps = {
  series: readonly PathPoint[];
  domain: readonly [from: number, to: number];
  height: number;
  unit?: string;
  label: string;
  className?: string;
};

/** "last hour", or for a sensor seen only for a while "last 12 min": what the line spans. */
function windowText(spanMs: number, t: ReturnType<typeof useT>): string {
  const minutes = Math.round(spanMs / 60_000);
  return minutes >= 55 ? t("chart.window.hour") : t("chart.window.minutes", { n: Math.max(1, minutes) });
}

/** The caption's line under the sparkline, in px: part of `height`. */
const CAPTION = 16;

export function Sparkline({ series, domain, height, unit = "", label, className }: SparklineProps) {
  const locale = useLocale();
  const t = useT();
  const [from, to] = domain;
  const range = useMemo(() => extent(series), [series]);
  const frame = useMemo(
    () => ({ domain: [from, to] as const, values: valueDomain(series, minimumSpan(unit, range?.[1])), ...BOX }),
    [series, from, to, unit, range],
  );
  const path = useMemo(() => linePath(series, frame), [series, frame]);
  const [hovered, setHovered] = useState<number | null>(null);

  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const share = box.width > 0 ? (event.clientX - box.left) / box.width : 1;
    const index = nearestIndex(series, from + share * (to - from));
    setHovered(index < 0 ? null : index);
  };

  const last = series.length - 1;
  const marked = hovered !== null && hovered <= last ? hovered : last;
  const at = (i: number) => {
    const [x, y] = project(series[i], frame);
    return { left: `${(x / BOX.width) * 100}%`, top: `${(y / BOX.height) * 100}%` };
  };

  return (
    <div
      data-testid="chart"
      data-points={series.length}
      role="img"
      aria-label={label}
      data-min={range?.[0]}
      data-max={range?.[1]}
      data-span={frame.values[1] - frame.values[0]}
      className={cn("flex w-full flex-col", className)}
      style={{ height }}
    >
      <div className="relative w-full flex-1 p-1" onPointerMove={onPointerMove} onPointerLeave={() => setHovered(null)}>
        <svg
          viewBox={`0 0 ${BOX.width} ${BOX.height}`}
          preserveAspectRatio="none"
          className="absolute inset-0 h-full w-full overflow-visible"
          aria-hidden
        >
          <path d={path} fill="none" stroke="var(--color-accent)" strokeWidth={2} vectorEffect="non-scaling-stroke" strokeLinejoin="round" />
        </svg>
        {marked >= 0 && (
          <span
            aria-hidden
            className={cn(
              "absolute -translate-x-1/2 -translate-y-1/2 rounded-full border-[1.5px] border-surface bg-accent",
              marked === hovered ? "size-2.5" : "size-2",
            )}
            style={at(marked)}
          />
        )}
        {hovered !== null && hovered <= last && (
          <div
            className="pointer-events-none absolute bottom-full z-10 mb-1 -translate-x-1/2 whitespace-nowrap rounded-md border border-line bg-surface px-2 py-1 text-xs shadow-sm"
            style={{ left: at(hovered).left }}
          >
            <span className="font-medium tabular-nums">{formatReading(series[hovered].v, unit, locale)}</span>{" "}
            <span className="text-muted">{formatClock(series[hovered].t, locale)}</span>
          </div>
        )}
      </div>
      {/* The scale and the window, so a ripple reads as a ripple: "last hour · 38–39 %". */}
      <p data-testid="sparkline-caption" className="flex justify-between gap-2 text-xs leading-4 text-muted" style={{ height: CAPTION }}>
        <span>{windowText(to - from, t)}</span>
        {range && (
          <span className="tabular-nums">
            {range[0] === range[1]
              ? formatReading(range[0], unit, locale)
              : `${formatValue(range[0], locale)}–${formatReading(range[1], unit, locale)}`}
          </span>
        )}
      </p>
    </div>
  );
}
