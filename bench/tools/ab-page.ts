// Developer tool, not a bench section: compares two dashboard builds in one run,
// alternating them (A B B A A B …) so a busy machine weighs on both alike. Each
// build is a copy of `.next` (e.g. `cp -a .next .next-base` before a change, and a
// fresh `next build` after it); the tool moves each in place as `.next` in turn
// and puts them back at the end.
//   node --import tsx bench/tools/ab-page.ts <dirA> <dirB> [rounds=3] [section=dashboard|pixels] [mode=quick] [order=AB|BA]
import { existsSync, renameSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { dashboardLoadSection } from "../dashboard-load";
import { pixelsSection } from "../pixels";
import type { Mode } from "../lib/section";

const [dirA, dirB, roundsArg = "3", sectionId = "dashboard", mode = "quick", orderArg = "AB"] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error("usage: ab-page.ts <dirA> <dirB> [rounds] [dashboard|pixels] [quick|full|tiny]");
  process.exit(2);
}
const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT = path.join(ROOT, ".next");
if (existsSync(NEXT)) {
  console.error(".next exists: move it to a named copy first, so no build is lost");
  process.exit(2);
}
const section = sectionId === "pixels" ? pixelsSection : dashboardLoadSection;

type Figures = Record<string, number>;

/** The figures worth comparing from a section's raw record. */
function figures(raw: unknown): Figures {
  const r = raw as Record<string, unknown>;
  if (sectionId === "pixels") {
    type Rep = { summary: { p50: number; p99: number }; tcp: { p99: number }; pageBusy: number; missing: number; hubCpuUsPerReading: number };
    const rep = (r.reps as Rep[])[0];
    // With the five chart browsers (issue 13): the budget's row, the hub's part, and how many charts they opened.
    const loaded = (r.loadedReps as Rep[])[0];
    return {
      p50: rep.summary.p50,
      p99: rep.summary.p99,
      busy: rep.pageBusy,
      missing: rep.missing,
      chartsP50: loaded.summary.p50,
      chartsP99: loaded.summary.p99,
      chartsTcpP99: loaded.tcp.p99,
      chartsHubUs: loaded.hubCpuUsPerReading,
      chartsBusy: loaded.pageBusy,
      chartsOpened: (r.chartMs as number[]).length,
    };
  }
  return { cpu: (r.rendererCpu as number) * 100, busy: (r.busy as number) * 100, script: (r.script as number) * 100, long: (r.longTasks as unknown[]).length };
}

const results: Record<string, Figures[]> = { A: [], B: [] };
const rounds = Number(roundsArg);
for (let i = 0; i < rounds; i++) {
  // `BA` starts with B: two holds of one round each still alternate.
  const first = orderArg === "BA" ? 1 : 0;
  const order = (i + first) % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const);
  for (const which of order) {
    const dir = path.resolve(which === "A" ? dirA : dirB);
    renameSync(dir, NEXT);
    try {
      const { raw } = await section.run({ mode: mode as Mode, cores: 2, log: (m) => console.error(`[${which}] ${m}`) });
      const f = figures(raw);
      results[which].push(f);
      console.log(`${which} round ${i + 1} (${new Date().toISOString().slice(11, 19)}, load ${loadavg()[0].toFixed(1)}): ${Object.entries(f).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`);
    } finally {
      renameSync(NEXT, dir);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const which of ["A", "B"] as const) {
  const keys = Object.keys(results[which][0] ?? {});
  console.log(`${which} median: ${keys.map((k) => `${k} ${median(results[which].map((f) => f[k])).toFixed(1)}`).join(", ")}  (${which === "A" ? dirA : dirB})`);
}
