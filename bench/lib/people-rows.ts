// The pixels section's rows for the five other people (issue 13, P4): how fast they really
// opened charts in each rep, how long each open took, and what the hub spent per open.
import type { Split } from "./hub-split";
import { opensIn, type Pace } from "./people-pace";
import type { ReplayResult } from "./remote-chart-openers";
import type { Row } from "./report";
import { summarize, type LatencySummary } from "./stats";

/** One measured rep of the pixels section. */
export type Rep = {
  summary: LatencySummary;
  tcp: LatencySummary;
  missing: number;
  sent: number;
  hubCpuUsPerReading: number;
  /** The hub's CPU during the measured window, ms, and the window (Date.now()). */
  hubCpuMs: number;
  from: number;
  to: number;
  pageBusy: number;
  split?: Split["raw"];
};

/** One way of modelling the five people, its reps, and what its replay reported. */
export type PeopleModel = { key: "rounds" | "storm"; label: string; persons: number; pace: Pace; budget: boolean; reps: Rep[]; replay: ReplayResult };

/**
 * Why a rounds model's reps did not carry the load it asks for (fewer opens started than five a
 * round: the replay starved of a core, or opens outlasting a round), or undefined if they did.
 * A budget verdict on a lighter load than the model's would flatter the hub.
 */
export function paceUnheld(m: PeopleModel): string | undefined {
  if (m.pace.kind !== "rounds") return undefined;
  const { periodMs } = m.pace;
  const asked = m.reps.reduce((n, r) => n + m.persons * Math.round((r.to - r.from) / periodMs), 0);
  const started = m.reps.reduce((n, r) => n + opensIn(m.replay.opens, r.from, r.to).count, 0);
  return started < asked ? `not at the model's pace: ${started} of ${asked} opens started (${m.replay.missedRounds} rounds missed): a lighter load than the model's, never counted as met` : undefined;
}

/**
 * Opens a second achieved, each open's time p50 / max, and the hub's CPU per open: the hub's
 * CPU in the rep less what the same readings cost it alone (`aloneUsPerReading`, the unloaded
 * reps' median), over the opens that started in the rep's window. An open that straddles the
 * window's end counts whole, so per-open CPU is a little low in a short rep.
 */
export function peopleRows(rows: Row[], section: string, m: PeopleModel, aloneUsPerReading: number): void {
  const per = m.reps.map((r) => ({ r, o: opensIn(m.replay.opens, r.from, r.to) }));
  const opens = per.reduce((n, { o }) => n + o.count, 0);
  const seconds = per.reduce((n, { r }) => n + (r.to - r.from) / 1000, 0);
  rows.push({
    section,
    figure: `chart opens a second, ${m.label}`,
    unit: "/s",
    value: summarize(per.map(({ o }) => o.perSecond)),
    note:
      `${opens} opens started, ${per.reduce((n, { o }) => n + o.finished, 0)} ended in ${seconds.toFixed(1)} s of measured reps` +
      (m.pace.kind === "rounds"
        ? ` (${m.persons * Math.round((seconds * 1000) / m.pace.periodMs)} asked for); ${m.replay.missedRounds} rounds missed in all (an open still running at its person's next round)`
        : ""),
  });
  rows.push({ section, figure: `chart open p50, ${m.label}`, unit: "ms", value: summarize(per.map(({ o }) => o.p50)), note: "page, 24 h and 30 d series, /mqtt: from the first request to the last answer read" });
  rows.push({ section, figure: `chart open max, ${m.label}`, unit: "ms", value: summarize(per.map(({ o }) => o.max)) });
  rows.push({
    section,
    figure: `hub CPU per chart open, ${m.label}`,
    unit: "ms",
    // No open started in a rep (each outlasted it): no figure rather than an infinite one.
    value: summarize(per.map(({ r, o }) => (o.count === 0 ? NaN : (r.hubCpuMs - (aloneUsPerReading * r.sent) / 1000) / o.count))),
    note: "the hub's CPU in the rep less the same readings' cost alone, over the opens started in it",
  });
}
