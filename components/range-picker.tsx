"use client";

import { useState } from "react";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { parseCustomRange, PRESETS, toLocalInput, type RangeSelection } from "@/lib/history/ranges";

const button =
  "rounded-md px-2.5 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-accent aria-pressed:bg-accent aria-pressed:text-white";

/** 1 h, 24 h, 7 d, 30 d, or a custom range typed in the viewer's time zone. */
export function RangePicker({
  selection,
  onChange,
  shown,
}: {
  selection: RangeSelection;
  onChange: (selection: RangeSelection) => void;
  /** The range on screen, to prefill the custom inputs. */
  shown: { from: number; to: number } | null;
}) {
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const t = useT();
  return (
    <div className="flex flex-wrap items-center gap-1" role="group" aria-label={t("range.label")}>
      {PRESETS.map((p) => (
        <button
          key={p.id}
          type="button"
          data-range={p.id}
          aria-pressed={selection.kind === "preset" && selection.preset === p.id}
          className={button}
          onClick={() => {
            setCustom(null);
            onChange({ kind: "preset", preset: p.id });
          }}
        >
          {t(`range.${p.id}`)}
        </button>
      ))}
      <button
        type="button"
        data-range="custom"
        aria-pressed={selection.kind === "custom"}
        className={button}
        onClick={() => {
          const now = Date.now();
          const range = shown ?? { from: now - 3_600_000, to: now };
          setCustom(custom ? null : { from: toLocalInput(range.from), to: toLocalInput(range.to) });
        }}
      >
        {t("range.custom")}
      </button>
      {custom && (
        <form
          className="flex flex-wrap items-center gap-2 text-sm"
          onSubmit={(e) => {
            e.preventDefault();
            const parsed = parseCustomRange(custom.from, custom.to);
            if ("error" in parsed) {
              setError(t(`range.error.${parsed.error}`));
              return;
            }
            setError(null);
            onChange(parsed);
          }}
        >
          {(["from", "to"] as const).map((end) => (
            <label key={end} className="flex items-center gap-1">
              {t(end === "from" ? "range.from" : "range.to")}
              <input
                type="datetime-local"
                name={end}
                value={custom[end]}
                onChange={(e) => setCustom({ ...custom, [end]: e.target.value })}
                className="rounded border border-line bg-surface px-1"
              />
            </label>
          ))}
          <button type="submit" className={cn(button, "border border-line")}>
            {t("range.show")}
          </button>
          {error && (
            <span role="alert" className="text-danger">
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
