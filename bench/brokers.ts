// Section 2: broker throughput. Mosquitto, plain aedes, Hearth's broker alone and the
// Hearth hub (with a dashboard page connected, as in a home; closed for the rows that hold
// issue 12's budgets, see SCENARIOS) take the same flows, alternating broker by broker
// within each repetition.
// Messages/s is wall-clock and swings with the neighbours on a shared machine; the
// broker's CPU time per message (from /proc) is the steadier figure, and both are held to
// the same budget against aedes.
import type { Page } from "playwright-core";
import path from "node:path";
import { launchBrowser, openDashboard } from "./lib/browser";
import { startCommitProbe, type ProbeResult } from "./lib/commit-probe";
import { runPairsProcs } from "./lib/loadgen";
import { runFlow, type FlowSpec, type Pattern } from "./lib/mqtt-load";
import { cpuTimeMs, pin } from "./lib/proc";
import type { Row } from "./lib/report";
import { byMode, type Section, type SectionContext } from "./lib/section";
import { startAedes, startEngine, startHub, startMosquitto, type BrokerName, type Server } from "./lib/servers";
import { ratio, summarize } from "./lib/stats";

/**
 * `page`: whether the hub's dashboard page is open during the flow. Chromium shares core 1
 * with the load generator (two cores: the broker has the other), so while it draws the
 * bench's readings it takes the core that publishes and paces the lanes, a cost no other
 * broker's run carries (fan-in steady: 11.5k msg/s with the page open, 25.2k closed, on
 * the same build). So the flows that hold issue 12's budgets, fan-in QoS 0 and QoS 1 pairs,
 * are measured with the page closed (the hub's web thread still runs), and again, for the
 * hub alone and with no budget, with it open (`hubOnly`): what a home with a dashboard on
 * the same two cores would see.
 */
type Scenario = { pattern: Pattern; kind: "steady" | "burst"; page: boolean; hubOnly?: boolean };

const SCENARIOS: Scenario[] = [
  { pattern: "fan-in", kind: "steady", page: false },
  { pattern: "fan-in", kind: "burst", page: false },
  { pattern: "fan-out", kind: "steady", page: true },
  { pattern: "fan-out", kind: "burst", page: true },
  { pattern: "qos1-pairs", kind: "steady", page: false },
  { pattern: "qos1-pairs", kind: "burst", page: false },
  { pattern: "fan-in", kind: "steady", page: true, hubOnly: true },
  { pattern: "fan-in", kind: "burst", page: true, hubOnly: true },
  { pattern: "qos1-pairs", kind: "steady", page: true, hubOnly: true },
  { pattern: "qos1-pairs", kind: "burst", page: true, hubOnly: true },
];

const scenarioName = ({ pattern, kind, hubOnly }: Scenario) => `${pattern} ${kind}${hubOnly ? " page" : ""}`;

const LABEL: Record<Pattern, string> = {
  "fan-in": "fan-in QoS 0 (10→1)",
  "fan-out": "fan-out QoS 0 (1→50)",
  "qos1-pairs": "QoS 1 pairs (10×1→1)",
};

/** Publishes in flight per lane in a steady flow. */
const STEADY_WINDOW = 50;
/**
 * The QoS 1 pairs lanes run on the multi-process generator (lib/loadgen.ts): this many
 * child processes on the load's core. BENCH_LOADGEN=inproc runs them on the old
 * single-process one (mqtt.js in this process), which paced every broker near one rate.
 */
const LOADGEN_PROCS = Number(process.env.BENCH_LOADGEN_PROCS ?? 2);
const PAIRS_IN_PROCS = process.env.BENCH_LOADGEN !== "inproc";
/** Issue 8's budget for every flow: the hub at this share of plain aedes's msg/s, and at most its inverse in CPU/msg. */
const SHARE_OF_AEDES = 0.9;

type Key = "msgPerS" | "cpuUsPerMsg" | "brokerBusy";

/**
 * Issue 12's budgets, stricter, for two figures: QoS 0 fan-in CPU per message no more
 * than plain aedes's, and QoS 1 pairs messages/s no fewer than plain aedes's in memory,
 * while every PUBACK of the hub waits for its commit (broker state and history row).
 */
function budget(pattern: Pattern, key: Key, vsAedes: number): Row["budget"] {
  if (pattern === "fan-in" && key === "cpuUsPerMsg") return { text: "≤ 1 × aedes (issue 12)", met: vsAedes <= 1 };
  if (pattern === "qos1-pairs" && key === "msgPerS") return { text: "≥ 1 × aedes (issue 12)", met: vsAedes >= 1 };
  return key === "msgPerS"
    ? { text: `≥ ${SHARE_OF_AEDES} × aedes`, met: vsAedes >= SHARE_OF_AEDES }
    : { text: `≤ ${(1 / SHARE_OF_AEDES).toFixed(2)} × aedes`, met: vsAedes <= 1 / SHARE_OF_AEDES };
}

type Sample = {
  broker: BrokerName;
  scenario: string;
  rep: number;
  msgPerS: number;
  cpuUsPerMsg: number;
  /** The broker's CPU time over the flow's wall time, % of one core (set-up and close included): near 100, the broker is the limit. */
  brokerBusy: number;
  /** The load generator's CPU per message, µs (multi-process generator only). */
  generatorUsPerMsg?: number;
  delivered: number;
  expected: number;
  timedOut: boolean;
};

/** The broker's CPU time once it has gone quiet: work queued behind the last delivery counts too. */
async function settledCpuMs(pid: number): Promise<number> {
  let previous = cpuTimeMs(pid);
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = cpuTimeMs(pid);
    if (now - previous < 10) return now; // under one clock tick in 200 ms: idle
    previous = now;
  }
  return previous;
}

/** One flow on the generator that serves it: QoS 1 pairs over child processes (on `loadCores`), the rest in this process. */
async function flow(server: Server, spec: FlowSpec, loadCores: string | undefined) {
  if (spec.pattern !== "qos1-pairs" || !PAIRS_IN_PROCS) return { ...(await runFlow(server.mqttUrl, spec)), generatorCpuMs: NaN };
  return runPairsProcs(server.mqttPort, { messages: spec.messages, window: spec.window, deadlineMs: spec.deadlineMs, procs: LOADGEN_PROCS, cores: loadCores });
}

async function measure(server: Server, spec: FlowSpec, loadCores: string | undefined): Promise<Omit<Sample, "broker" | "scenario" | "rep">> {
  const cpuBefore = await settledCpuMs(server.pid);
  const result = await flow(server, spec, loadCores);
  const cpuAfter = await settledCpuMs(server.pid);
  const seconds = result.elapsedMs / 1000;
  return {
    msgPerS: result.delivered > 0 && seconds > 0 ? result.delivered / seconds : NaN,
    cpuUsPerMsg: result.delivered > 0 ? ((cpuAfter - cpuBefore) * 1000) / result.delivered : NaN,
    brokerBusy: result.elapsedMs > 0 ? ((cpuAfter - cpuBefore) / result.elapsedMs) * 100 : NaN,
    generatorUsPerMsg: result.delivered > 0 ? (result.generatorCpuMs * 1000) / result.delivered : NaN,
    delivered: result.delivered,
    expected: result.expected,
    timedOut: result.timedOut,
  };
}

/**
 * Issue 12's condition beside its QoS 1 budget: one more QoS 1 pairs steady flow on the
 * hub (page closed, not measured) with the commit probe running, so the table says whether
 * every PUBACK still waited for the commit under this load.
 */
async function checkCommitBeforeAck(hub: Server, historyFile: string, spec: FlowSpec, loadCores: string | undefined): Promise<ProbeResult> {
  const probe = await startCommitProbe(hub.mqttUrl, historyFile);
  try {
    await flow(hub, spec, loadCores);
  } catch (error) {
    await probe.stop();
    throw error;
  }
  return probe.stop();
}

async function run(ctx: SectionContext) {
  const reps = byMode(ctx, { full: 3, quick: 1, tiny: 1 });
  const messages = byMode(ctx, { full: 30_000, quick: 6_000, tiny: 2_000 });
  const deadlineMs = byMode(ctx, { full: 30_000, quick: 10_000, tiny: 5_000 });
  // Brokers on core 0, this process (the load) and the browser on core 1.
  const pinned = ctx.cores >= 2 && pin(process.pid, "1");
  const brokerCore = pinned ? 0 : undefined;
  const loadCores = pinned ? "1" : undefined;
  /** The hub's data directory, for the commit probe. */
  let hubDataDir = "";
  const servers: Server[] = [];
  const browser = await launchBrowser();
  /** The hub's dashboard page while it is open. */
  let dashboard: Page | null = null;
  const showDashboard = async (hub: Server, open: boolean) => {
    if (open && dashboard === null) dashboard = await openDashboard(browser, hub.httpUrl!);
    if (!open && dashboard !== null) await dashboard.close();
    if (!open) dashboard = null;
  };
  try {
    const start: Record<BrokerName, () => Promise<Server>> = {
      mosquitto: () => startMosquitto({ core: brokerCore }),
      aedes: () => startAedes({ core: brokerCore }),
      engine: () => startEngine({ core: brokerCore }),
      hearth: async () => {
        const hub = await startHub({ core: brokerCore, prepare: (dir) => void (hubDataDir = dir) });
        // The hub as a home runs it: with a dashboard open on it.
        dashboard = null;
        await showDashboard(hub, true);
        return hub;
      },
    };
    for (const name of ["mosquitto", "aedes", "engine", "hearth"] as const) servers.push(await start[name]());
    const restart = async (dead: Server): Promise<Server> => {
      ctx.log(`  restarting ${dead.name} after it exited`);
      await dead.stop();
      const fresh = await start[dead.name]();
      servers[servers.indexOf(dead)] = fresh;
      return fresh;
    };
    ctx.log(`brokers: ${servers.map((s) => `${s.name} pid ${s.pid}`).join(", ")}${pinned ? "; brokers on core 0, load on core 1" : ""}`);

    // Warm-up, not measured: JIT, connection paths, and the page's rows for the bench topics.
    for (const server of servers) {
      for (const { pattern } of SCENARIOS.filter((sc) => !sc.hubOnly)) await flow(server, { pattern, messages: Math.min(messages / 3, 2_000), window: STEADY_WINDOW, deadlineMs }, loadCores);
    }
    const samples: Sample[] = [];
    const failures = new Map<BrokerName, string>();
    for (let rep = 0; rep < reps; rep++) {
      for (const scenario of SCENARIOS) {
        // Rotate who goes first, so no broker always meets a warmer or colder machine.
        const order = servers.map((_, i) => servers[(i + rep) % servers.length]).filter((s) => !scenario.hubOnly || s.name === "hearth");
        const spec: FlowSpec = { pattern: scenario.pattern, messages, window: scenario.kind === "steady" ? STEADY_WINDOW : Infinity, deadlineMs };
        for (const ordered of order) {
          const name = scenarioName(scenario);
          // A broker that crashed in an earlier flow is started afresh, so one crash costs one figure.
          const server = ordered.alive() ? ordered : await restart(ordered);
          if (server.name === "hearth") await showDashboard(server, scenario.page);
          let measured: Awaited<ReturnType<typeof measure>>;
          try {
            measured = await measure(server, spec, loadCores);
          } catch (error) {
            // A broker that fell over (plain aedes can overflow its stack in a burst) costs its own figures only.
            const printed = /^\w*Error.*$/m.exec(server.output())?.[0];
            failures.set(server.name, printed ?? (error as Error).message);
            ctx.log(`  ${name.padEnd(18)} ${server.name.padEnd(9)} failed: ${failures.get(server.name)}`);
            measured = { msgPerS: NaN, cpuUsPerMsg: NaN, brokerBusy: NaN, delivered: 0, expected: 0, timedOut: false };
          }
          const sample = { broker: server.name, scenario: name, rep, ...measured };
          samples.push(sample);
          ctx.log(
            `  ${name.padEnd(18)} ${server.name.padEnd(9)} ${Math.round(sample.msgPerS)} msg/s, ${sample.cpuUsPerMsg.toFixed(1)} µs CPU/msg, broker ${sample.brokerBusy.toFixed(0)} % of a core` +
              (Number.isFinite(sample.generatorUsPerMsg) ? `, load generator ${sample.generatorUsPerMsg!.toFixed(1)} µs/msg` : "") +
              (sample.delivered < sample.expected ? `, ${sample.delivered}/${sample.expected} delivered${sample.timedOut ? " (deadline)" : ""}` : ""),
          );
        }
      }
    }
    const hub = servers.find((s) => s.name === "hearth")!;
    let probe: ProbeResult | null = null;
    if (hub.alive() && PAIRS_IN_PROCS) {
      await showDashboard(hub, false);
      probe = await checkCommitBeforeAck(hub, path.join(hubDataDir, "history.sqlite"), { pattern: "qos1-pairs", messages: messages * 2, window: STEADY_WINDOW, deadlineMs }, loadCores);
      ctx.log(`  commit probe: ${probe.committedAtAck} of ${probe.acked} PUBACKs found their reading committed (${probe.sent} sent)`);
    }
    const out = rows(samples, probe);
    if (failures.size > 0) out[out.length - 1].note = `failed: ${[...failures].map(([b, e]) => `${b} (${e})`).join("; ")}`;
    const loadgen = PAIRS_IN_PROCS ? { qos1Pairs: "processes", procs: LOADGEN_PROCS } : { qos1Pairs: "inproc" };
    return { rows: out, raw: { reps, messages, steadyWindow: STEADY_WINDOW, pinned, loadgen, commitProbe: probe, scenarios: SCENARIOS, samples, failures: Object.fromEntries(failures) } };
  } finally {
    await browser.close().catch(() => {});
    await Promise.all(servers.map((s) => s.stop()));
    if (pinned) pin(process.pid, `0-${ctx.cores - 1}`);
  }
}

const FIGURE: Record<Key, { name: string; unit: string }> = {
  msgPerS: { name: "msg/s", unit: "msg/s" },
  cpuUsPerMsg: { name: "CPU/msg", unit: "µs" },
  brokerBusy: { name: "broker's core busy", unit: "%" },
};

/** The figures of a flow: rate and CPU per message, and for QoS 1 pairs how busy the broker's core was (is the broker the limit?). */
const keysOf = (pattern: Pattern): Key[] => (pattern === "qos1-pairs" ? ["msgPerS", "cpuUsPerMsg", "brokerBusy"] : ["msgPerS", "cpuUsPerMsg"]);

function probeNote(probe: ProbeResult | null): string | undefined {
  if (!probe) return undefined;
  return `hub's PUBACK after the commit: ${probe.committedAtAck} of ${probe.acked} probe readings were in the history database when their PUBACK arrived (an extra flow with the commit probe, lib/commit-probe.ts)`;
}

function rows(samples: Sample[], probe: ProbeResult | null): Row[] {
  const out: Row[] = [];
  for (const sc of SCENARIOS) {
    const { pattern, kind, hubOnly } = sc;
    const scenario = scenarioName(sc);
    // The references of a hub-only variant are the other brokers' figures in the same flow.
    const of = (broker: BrokerName, key: Key) =>
      summarize(samples.filter((s) => s.broker === broker && s.scenario === (broker === "hearth" ? scenario : `${pattern} ${kind}`)).map((s) => s[key]));
    const lost = samples.filter((s) => s.scenario === scenario && s.delivered < s.expected);
    const note = lost.length
      ? `not all delivered: ${lost.map((s) => `${s.broker} ${s.delivered}/${s.expected}${s.timedOut ? " by the deadline" : ""}`).join("; ")}`
      : undefined;
    for (const key of keysOf(pattern)) {
      const hearth = of("hearth", key);
      const aedes = of("aedes", key).median;
      const mosquitto = of("mosquitto", key).median;
      const engine = of("engine", key).median;
      const higherIsBetter = key === "msgPerS";
      const vsAedes = ratio(hearth.median, aedes);
      out.push({
        // The section's name is the baseline's key (report.ts withBaseline): unchanged since the first run.
        section: "brokers: Hearth hub vs plain aedes and Mosquitto",
        figure: `${LABEL[pattern]} ${kind}${hubOnly ? ", dashboard open" : ""}: ${FIGURE[key].name}`,
        unit: FIGURE[key].unit,
        value: hearth,
        references: [
          { name: "aedes", value: aedes, ratio: vsAedes },
          { name: "mosquitto", value: mosquitto, ratio: ratio(hearth.median, mosquitto) },
          // Hearth's broker alone (no hooks, recorder, web): the hub's figure over it is what the rest of the hub costs.
          { name: "broker alone", value: engine, ratio: ratio(hearth.median, engine) },
        ],
        budget: hubOnly || key === "brokerBusy" ? undefined : budget(pattern, key, vsAedes),
        note:
          key === "cpuUsPerMsg"
            ? note
            : key === "brokerBusy"
              ? undefined
              : pattern === "qos1-pairs" && kind === "steady" && !hubOnly
                ? probeNote(probe)
                : sc.page
                  ? undefined
                  : "the hub with its dashboard page closed (Chromium would share the load generator's core); open: the rows below",
      });
    }
  }
  return out;
}

export const brokersSection: Section = { id: "brokers", title: "Broker throughput", run };
