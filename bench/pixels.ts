// Section 1: publish → pixels. Readings go over TCP to the real hub at a steady
// 1,000 a second over 100 topics while a dashboard is open in Chromium; each one's
// latency runs from just before the publish to the moment its value (or a newer one
// of the same topic) is in the page's DOM. One frame, 16.7 ms, is the floor: the
// store draws once a frame. A few `mosquitto_pub` runs check the same path from a
// separate process. Then the same again while five other people open a room's 30-day
// chart, from a day of readings of twenty sensors seeded into the hub before it starts
// (issue 13): first as the hub sees people on their own devices (one open each recorded in
// Chromium, then replayed by a child process under SCHED_IDLE) at a human pace — all five
// together every 5 s, the budget row (lib/people-pace.ts says why) — then back to back (the
// ninth pass's storm, a stress row), then as five Chromium contexts drawing on these same
// cores (the fourth pass's model).
import { execFile } from "node:child_process";
import type { MqttClient } from "mqtt";
import { DAY_OF_READINGS, seededTopic, seedHistory } from "../e2e/seed-history";
import { launchBrowser } from "./lib/browser";
import { startChartBrowsers } from "./lib/chart-browsers";
import { recordChartOpens, startReplay } from "./lib/remote-chart-openers";
import { opensIn, PEOPLE_ROUND_MS, roundWindow, type Pace } from "./lib/people-pace";
import { paceUnheld, peopleRows, type PeopleModel, type Rep } from "./lib/people-rows";
import { openRig } from "./lib/dashboard-rig";
import { closeAll, connectMany } from "./lib/mqtt-load";
import { publishPaced, type Sent } from "./lib/paced";
import { takeShown, watchValues } from "./lib/page-probes";
import type { Row } from "./lib/report";
import { byMode, type Section, type SectionContext } from "./lib/section";
import { cpuTimeMs, pin } from "./lib/proc";
import { startSplit } from "./lib/hub-split";
import { startCpuWait } from "./lib/cpu-wait";
import { connectInspector, type Inspector } from "./lib/inspector";
import { latencySummary, matchLatencies, summarize } from "./lib/stats";

const FRAME_MS = 1000 / 60;
const P99_BUDGET_MS = 25;
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const ROOMS = 20;
const MEASUREMENTS = ["temperature", "humidity", "pressure", "co2", "illuminance"];
const TOPICS = Array.from({ length: ROOMS }, (_, r) => MEASUREMENTS.map((m) => `home/px-${String(r).padStart(2, "0")}/${m}`)).flat();
const SPOT_TOPIC = "home/px-spot/temperature";
const CHART_NICE = Number(process.env.BENCH_CHART_NICE ?? 19);
/** "idle": the chart browsers under SCHED_IDLE, the only way their low priority holds (lib/browser.ts). */
// Other people's browsers are other machines in a home: by default they get only the
// cores the hub and the measured page leave (SCHED_IDLE; nice alone does not hold, lib/browser.ts).
// BENCH_CHART_SCHED=normal runs them as the third pass did, at Chromium's own priorities.
const CHART_IDLE = (process.env.BENCH_CHART_SCHED ?? "idle") === "idle";
/**
 * Which five other people the loaded reps run beside, in this order: "rounds" (their requests
 * replayed, what the hub serves for browsers on other devices, all five opening together every
 * 5 s: the budget row), "storm" (the same, each reopening the instant the last open finished:
 * stress, no budget), "local" (Chromium pages on these cores). "remote" = rounds,storm.
 */
const CHART_MODELS = (process.env.BENCH_CHART_MODELS ?? "rounds,storm,local").split(",").flatMap((m) => (m === "remote" ? ["rounds", "storm"] : [m]));
/** The replayed people's own work (sending, reading answers) is their devices': SCHED_IDLE; "normal" as the ninth pass ran it. */
const PEOPLE_IDLE = (process.env.BENCH_PEOPLE_SCHED ?? "idle") === "idle";
/**
 * BENCH_PIXELS_PIN=1: the hub on core 0, everything else the bench starts (publishers and TCP
 * subscriber in this process, the measured page's Chromium, the replayed people, the chart
 * Chromium) on core 1, as the brokers section pins its load. In a home the wall tablet and the
 * sensors are devices of their own: the hub then has one core to itself and nobody else's.
 */
const PIN = process.env.BENCH_PIXELS_PIN === "1";
/** Diagnostics (issue 13): per-thread CPU, writes, broker loop delay, Chromium CPU per rep (lib/hub-split.ts). */
const SPLIT = process.env.BENCH_PIXELS_SPLIT === "1";
/** The rooms the other browsers chart: home/room-01 … of the seeded day. */
const CHART_ROOMS = Array.from({ length: 5 }, (_, i) => seededTopic(i).split("/")[1]);

function mosquittoPub(port: number, topic: string, value: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-m", String(value)], { timeout: 10_000 }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

async function run(ctx: SectionContext) {
  const reps = byMode(ctx, { full: 3, quick: 1, tiny: 1 });
  const measureMs = byMode(ctx, { full: 20_000, quick: 6_000, tiny: 3_000 });
  const warmupMs = byMode(ctx, { full: 3_000, quick: 2_000, tiny: 1_000 });
  const spotChecks = byMode(ctx, { full: 20, quick: 10, tiny: 3 });
  const loadedReps = byMode(ctx, { full: 3, quick: 1, tiny: 1 });
  const end = Date.now();
  // Pinned before the rig starts, so the measured page's Chromium (and every later child) inherits core 1.
  const pinned = PIN && ctx.cores >= 2 && pin(process.pid, "1");
  if (PIN && !pinned) ctx.log("  BENCH_PIXELS_PIN: not pinned (one core, or taskset failed)");
  const rig = await openRig({
    hubCore: pinned ? 0 : undefined,
    topics: [...TOPICS, SPOT_TOPIC],
    prefix: "home/px-",
    tag: "px",
    prepare: (dir) => void seedHistory(dir, { ...DAY_OF_READINGS, end }),
    nodeArgs: SPLIT ? ["--inspect=127.0.0.1:0"] : [],
  }).catch((error: unknown) => {
    if (pinned) pin(process.pid, `0-${ctx.cores - 1}`);
    throw error;
  });
  const { hub, page } = rig;
  const clients = rig.publishers;
  const extra: MqttClient[] = [];
  let inspector: Inspector | null = null;
  try {
    if (SPLIT) inspector = await connectInspector(hub);
    await watchValues(page);
    // A TCP subscriber beside the page splits the latency: what the hub takes, and what the page adds.
    const [tap] = await connectMany(hub.mqttUrl, "px-tap", 1);
    extra.push(tap);
    await tap.subscribeAsync("home/+/+", { qos: 0 });
    let tapped: { topic: string; value: number; at: number }[] = [];
    tap.on("message", (topic, payload) => tapped.push({ topic, value: Number(payload), at: Date.now() }));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const pageTaskSeconds = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
      return { task: get("TaskDuration"), at: get("Timestamp") };
    };

    const reps_: Rep[] = [];
    const loaded: Rep[] = [];
    let firstValue = 1;
    /** One rep: `window` (Date.now()) sets when the measured part starts and ends (the warm-up before it); `named` groups more pids in the split. */
    const measure = async (label: string, window?: { from: number; to: number }, named: Record<string, number> = {}): Promise<Rep> => {
      if (window) await new Promise((r) => setTimeout(r, Math.max(0, window.from - warmupMs - Date.now())));
      const durationMs = window ? window.to - window.from : measureMs;
      const sent: Sent[] = [];
      let measuring = false;
      let from = NaN;
      let cpu0 = NaN;
      let page0 = { task: NaN, at: NaN };
      const split: { started?: ReturnType<typeof startSplit>; wait?: ReturnType<typeof startCpuWait> } = {};
      const warm = setTimeout(() => {
        measuring = true;
        from = Date.now();
        tapped = [];
        cpu0 = cpuTimeMs(hub!.pid);
        void pageTaskSeconds().then((m) => (page0 = m));
        if (SPLIT) split.started = startSplit(hub.pid, inspector);
        if (SPLIT) split.wait = startCpuWait(hub.pid, named);
      }, warmupMs);
      const result = await publishPaced({
        clients,
        topics: TOPICS,
        rate: RATE,
        durationMs: warmupMs + durationMs,
        firstValue,
        onSend: (s) => measuring && sent.push(s),
      });
      clearTimeout(warm);
      const to = Date.now();
      const hubCpuMs = cpuTimeMs(hub.pid) - cpu0;
      const hubCpuUsPerReading = (hubCpuMs * 1000) / sent.length;
      const page1 = await pageTaskSeconds();
      const waitResult = split.wait?.stop();
      const splitResult = split.started ? await (await split.started).stop() : null;
      if (splitResult) ctx.log(`    split: ${splitResult.line}`);
      if (waitResult) ctx.log(`    cores: ${waitResult.line}`);
      const pageBusy = ((page1.task - page0.task) / (page1.at - page0.at)) * 100;
      firstValue += Math.ceil(result.sent / TOPICS.length) + 1;
      await new Promise((r) => setTimeout(r, 1000)); // the last ones reach the page
      const { latencies, missing } = matchLatencies(sent, await takeShown(page));
      const summary = latencySummary(latencies);
      const tcp = latencySummary(matchLatencies(sent, tapped).latencies);
      ctx.log(
        `  ${label}: p50 ${summary.p50} ms, p95 ${summary.p95}, p99 ${summary.p99}, max ${summary.max} (${sent.length} readings, ${missing} not shown); ` +
          `TCP subscriber p50 ${tcp.p50} p99 ${tcp.p99}; hub ${hubCpuUsPerReading.toFixed(0)} µs CPU/reading; page main thread ${pageBusy.toFixed(0)} % busy`,
      );
      return { summary, tcp, missing, sent: sent.length, hubCpuUsPerReading, hubCpuMs, from, to, pageBusy, split: splitResult ? { ...splitResult.raw, cores: waitResult?.raw } : undefined };
    };
    for (let rep = 0; rep < reps; rep++) reps_.push(await measure(`rep ${rep + 1}`));
    // The five other people as the hub sees them from their own devices (their requests and
    // WebSocket frames, recorded once in Chromium and replayed by a child process:
    // lib/remote-chart-openers.ts): at a human pace in rounds (the budget row), then back to
    // back (the storm, stress); then as Chromium pages drawn on these same two cores under
    // SCHED_IDLE (lib/chart-browsers.ts), the fourth pass's model, kept beside them.
    const people: PeopleModel[] = [];
    const remoteModels = (["rounds", "storm"] as const).filter((m) => CHART_MODELS.includes(m));
    if (remoteModels.length > 0) {
      const recorder = await launchBrowser();
      const recording = await recordChartOpens(recorder, hub.httpUrl!, CHART_ROOMS).finally(() => recorder.close());
      ctx.log(`  one remote chart open: ${recording.describe()}`);
      for (const key of remoteModels) {
        const pace: Pace = key === "rounds" ? { kind: "rounds", periodMs: PEOPLE_ROUND_MS, epochMs: Date.now() + 2_000 } : { kind: "storm" };
        const sched = PEOPLE_IDLE ? "SCHED_IDLE" : "normal priority";
        const label =
          key === "rounds"
            ? `5 people opening 30-day charts, all five every ${PEOPLE_ROUND_MS / 1000} s (own devices)`
            : `5 people opening 30-day charts back to back (own devices, stress${PEOPLE_IDLE ? "" : ", replay at normal priority"})`;
        const model: PeopleModel = { key, label, persons: CHART_ROOMS.length, pace, budget: key === "rounds", reps: [], replay: { opens: [], socketErrors: [], missedRounds: 0 } };
        const replay = startReplay(recording, pace, { idle: PEOPLE_IDLE });
        try {
          await replay.ready;
          for (let rep = 0; rep < loadedReps; rep++) {
            // Rounds: whole rounds, the window opening just before one starts (people-pace.ts).
            const window = pace.kind === "rounds" ? roundWindow(pace, Date.now() + warmupMs, Math.ceil(measureMs / pace.periodMs)) : undefined;
            model.reps.push(await measure(`rep ${rep + 1}, ${label}, replay under ${sched}`, window, { "replayed people": replay.pid }));
          }
        } finally {
          model.replay = await replay.stop();
        }
        for (const [i, r] of model.reps.entries()) {
          const o = opensIn(model.replay.opens, r.from, r.to);
          ctx.log(`    rep ${i + 1}: ${o.count} chart opens started (${o.finished} ended) in ${((r.to - r.from) / 1000).toFixed(1)} s (${o.perSecond.toFixed(2)}/s), each p50 ${Math.round(o.p50)} ms, max ${Math.round(o.max)} ms`);
        }
        if (model.replay.missedRounds > 0) ctx.log(`  ${model.replay.missedRounds} rounds missed: an open still running when its person's next round began`);
        if (model.replay.socketErrors.length > 0) ctx.log(`  /mqtt refused ${model.replay.socketErrors.length} times to the replayed openers: ${model.replay.socketErrors[0]}`);
        people.push(model);
      }
    }
    let chartMs: number[] = [];
    if (CHART_MODELS.includes("local")) {
      // The other people's browsers run niced (BENCH_CHART_NICE, 0 = as the measured page):
      // in a home they are other devices, and their drawing is not the hub's work.
      const chartBrowser = CHART_NICE > 0 || CHART_IDLE ? await launchBrowser({ nice: CHART_NICE, idle: CHART_IDLE }) : rig.browser;
      const charting = await startChartBrowsers(chartBrowser, hub.httpUrl!, CHART_ROOMS);
      try {
        for (let rep = 0; rep < loadedReps; rep++) loaded.push(await measure(`rep ${rep + 1}, 5 browsers on this machine opening 30-day charts`));
      } finally {
        ({ chartMs } = await charting.stop());
        if (chartBrowser !== rig.browser) await chartBrowser.close();
      }
    }

    // mosquitto_pub, one process per reading, under the same steady load.
    const spot: number[] = [];
    const spotSent: Sent[] = [];
    const load = publishPaced({ clients, topics: TOPICS, rate: RATE, durationMs: spotChecks * 250 + 2_000, firstValue });
    for (let i = 1; i <= spotChecks; i++) {
      const at = Date.now();
      spotSent.push({ topic: SPOT_TOPIC, value: i, at });
      await mosquittoPub(hub.mqttPort, SPOT_TOPIC, i);
      await new Promise((r) => setTimeout(r, 200));
    }
    await load;
    spot.push(...matchLatencies(spotSent, await takeShown(page)).latencies);
    const spotSummary = latencySummary(spot);
    ctx.log(`  mosquitto_pub: p50 ${spotSummary.p50} ms, max ${spotSummary.max} (${spot.length}/${spotChecks} shown)`);

    const rows: Row[] = [];
    const section = `publish → pixels (1,000 readings/s over 100 topics, mqtt.js over TCP → DOM in Chromium${pinned ? "; hub on core 0, the rest on core 1" : ""})`;
    const frame = { name: "1 frame", value: FRAME_MS };
    for (const key of ["p50", "p95", "p99", "max"] as const) {
      const value = summarize(reps_.map((r) => r.summary[key]));
      rows.push({
        section,
        figure: `latency ${key}`,
        unit: "ms",
        value,
        references: [{ ...frame, ratio: value.median / FRAME_MS }],
        budget: key === "p99" ? { text: `< ${P99_BUDGET_MS} ms`, met: value.median < P99_BUDGET_MS } : undefined,
      });
    }
    rows.push(
      {
        section,
        figure: "publish → TCP subscriber p99 (the hub's part)",
        unit: "ms",
        value: summarize(reps_.map((r) => r.tcp.p99)),
        note: `p50 ${summarize(reps_.map((r) => r.tcp.p50)).median} ms: a mqtt.js subscriber beside the page`,
      },
      { section, figure: "hub CPU per reading", unit: "µs", value: summarize(reps_.map((r) => r.hubCpuUsPerReading)) },
      { section, figure: "page main thread busy", unit: "%", value: summarize(reps_.map((r) => r.pageBusy)) },
    );
    /** `unheld`: why the load was not what the row's model asks for (a budget is then not met, whatever the figure). */
    const loadedRows = (reps: Rep[], label: string, budget: boolean, unheld?: string) => {
      if (reps.length === 0) return;
      for (const key of ["p50", "p99", "max"] as const) {
        const value = summarize(reps.map((r) => r.summary[key]));
        rows.push({
          section,
          figure: `latency ${key}, ${label}`,
          unit: "ms",
          value,
          references: [{ ...frame, ratio: value.median / FRAME_MS }],
          budget: budget && key === "p99" ? { text: `< ${P99_BUDGET_MS} ms`, met: value.median < P99_BUDGET_MS && unheld === undefined } : undefined,
          note: budget && key === "p99" ? unheld : undefined,
        });
      }
      rows.push({ section, figure: `publish → TCP subscriber p99, ${label}`, unit: "ms", value: summarize(reps.map((r) => r.tcp.p99)) });
      rows.push({ section, figure: `page main thread busy, ${label}`, unit: "%", value: summarize(reps.map((r) => r.pageBusy)) });
    };
    for (const m of people) {
      loadedRows(m.reps, m.label, m.budget, paceUnheld(m));
      peopleRows(rows, section, m, summarize(reps_.map((r) => r.hubCpuUsPerReading)).median);
    }
    loadedRows(loaded, `5 browsers opening 30-day charts (this machine${CHART_IDLE ? ", SCHED_IDLE" : ""})`, people.length === 0);
    if (chartMs.length > 0) {
      const charts = latencySummary([...chartMs]);
      const who = `charts opened in Chromium on this machine (page load, 30 d picked, drawn); those browsers ${CHART_IDLE ? "under SCHED_IDLE" : CHART_NICE > 0 ? `at nice ${CHART_NICE}, which Chromium overrides (lib/browser.ts)` : "in the measured page's Chromium"}`;
      rows.push({ section, figure: "30-day chart open p50, this machine", unit: "ms", value: summarize([charts.p50]), note: `${chartMs.length} ${who}, max ${Math.round(charts.max)} ms` });
    }
    const all = [...reps_, ...people.flatMap((m) => m.reps), ...loaded];
    const missing = all.reduce((n, r) => n + r.missing, 0);
    rows.push({
      section,
      figure: "readings never shown",
      unit: "",
      value: summarize(all.map((r) => r.missing)),
      note: missing > 0 ? "a reading counts as shown when it or a newer one of its topic is in the DOM" : undefined,
    });
    rows.push({
      section,
      figure: "mosquitto_pub spot check p50",
      unit: "ms",
      value: summarize([spotSummary.p50]),
      references: [{ ...frame, ratio: spotSummary.p50 / FRAME_MS }],
      note: `${spot.length} of ${spotChecks} shown, max ${spotSummary.max} ms; includes starting mosquitto_pub and its connect`,
    });
    return {
      rows,
      raw: {
        rate: RATE,
        topics: TOPICS.length,
        warmupMs,
        measureMs,
        pinned,
        peopleSched: PEOPLE_IDLE ? "idle" : "normal",
        reps: reps_,
        people: people.map(({ key, label, pace, reps, replay }) => ({ key, label, pace, reps, replay })),
        loadedReps: loaded,
        chartMs,
        mosquittoPub: spot,
      },
    };
  } finally {
    inspector?.close();
    await closeAll(extra);
    await rig.dispose();
    if (pinned) pin(process.pid, `0-${ctx.cores - 1}`);
  }
}

export const pixelsSection: Section = { id: "pixels", title: "Publish → pixels", run };
