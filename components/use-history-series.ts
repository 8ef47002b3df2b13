"use client";

// Fetches the series of a topic or filter for a chart's range and width, again
// whenever either changes or the live connection comes back (readings published
// while it was down never arrive live).
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { useConnection } from "@/components/use-connection";
import type { HistorySeries } from "@/lib/history/store";
import { refusal, type HistoryProblem } from "@/lib/history/history-problem";
import { requestRange, type RangeSelection } from "@/lib/history/ranges";
import { clockUncertainty, estimateClockOffset } from "@/lib/merge-series";

export type HistoryState =
  | { status: "loading" }
  | { status: "error"; problem: HistoryProblem }
  | {
      status: "ready";
      series: HistorySeries[];
      clockOffsetMs: number;
      /** How far clockOffsetMs may be off (half the request's round trip). */
      clockUncertaintyMs: number;
      from: number;
      to: number;
      points: number;
      /** The range these points answer. */
      selection: RangeSelection;
      /** A newer request is on its way; the chart keeps these points until it lands. */
      refreshing: boolean;
    };

const pointSchema = z.object({ t: z.number(), v: z.number(), min: z.number().optional(), max: z.number().optional() });
const answerSchema = z.object({
  serverNow: z.number(),
  series: z.array(
    z.object({
      topic: z.string(),
      unit: z.string(),
      from: z.number(),
      to: z.number(),
      bucketMs: z.number(),
      tier: z.enum(["raw", "minute", "hour"]),
      points: z.array(pointSchema),
    }),
  ),
});

export function historyQuery(topic: string, from: number, to: number | null, points: number): URLSearchParams {
  const q = new URLSearchParams({ topic, from: String(from), points: String(points) });
  if (to !== null) q.set("to", String(to));
  return q;
}

export function useHistorySeries(topic: string, selection: RangeSelection, points: number | null) {
  const epoch = useConnection((c) => (c.status === "connecting" ? null : c.epoch));
  const [state, setState] = useState<HistoryState>({ status: "loading" });
  const [retries, setRetries] = useState(0);
  // The last estimate shapes the next request without being a reason to send one.
  const clockOffsetMs = useRef(0);

  useEffect(() => {
    if (points === null || epoch === null) return;
    const abort = new AbortController();
    const sentAt = Date.now();
    const { from, to } = requestRange(selection, sentAt + clockOffsetMs.current);
    setState((s) => (s.status === "ready" ? { ...s, refreshing: true } : { status: "loading" }));
    (async () => {
      let response: Response;
      let body: unknown;
      try {
        response = await fetch(`/api/history/series?${historyQuery(topic, from, to, points)}`, {
          signal: abort.signal,
          cache: "no-store",
        });
        body = await response.json();
      } catch {
        if (!abort.signal.aborted) setState({ status: "error", problem: { code: "no-answer" } });
        return;
      }
      if (!response.ok) {
        setState({ status: "error", problem: refusal(body, response.status) });
        return;
      }
      const parsed = answerSchema.safeParse(body);
      if (!parsed.success) {
        setState({ status: "error", problem: { code: "bad-answer" } });
        return;
      }
      const receivedAt = Date.now();
      clockOffsetMs.current = estimateClockOffset(parsed.data.serverNow, sentAt, receivedAt);
      const first = parsed.data.series[0];
      setState({
        status: "ready",
        series: parsed.data.series,
        clockOffsetMs: clockOffsetMs.current,
        clockUncertaintyMs: clockUncertainty(sentAt, receivedAt),
        from: first?.from ?? from,
        to: first?.to ?? to ?? parsed.data.serverNow,
        points,
        selection,
        refreshing: false,
      });
    })();
    return () => abort.abort();
  }, [topic, selection, points, epoch, retries]);

  return { state, retry: () => setRetries((n) => n + 1) };
}
