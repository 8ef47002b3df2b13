// The multi-process load generator for the QoS 1 pairs lane: the lanes (a publisher and
// its subscriber each) spread over a few child processes (loadgen-child.ts), which connect
// and subscribe, start together on a signal, and report what they counted. The
// single-process generator (mqtt-load.ts, mqtt.js) costs about as much CPU per message as
// the broker it measures, so on two cores it paced every broker near the same rate; these
// children cost a fraction of that (raw sockets, packets encoded once by mqtt-packet,
// reads only framed). Bounded: each child has the flow's deadline and a hard exit of its
// own, exits when this process goes away, and is killed here if still running at the end.
import { fork, type ChildProcess } from "node:child_process";
import { setPriority } from "node:os";
import type { ChildFlow, ChildReport } from "./loadgen-child";
import type { FlowResult } from "./mqtt-load";
import { pin } from "./proc";
import { loadgenChildBundle } from "./servers";

export const QOS1_PAIRS = 10;

export type ProcsFlowSpec = {
  messages: number;
  /** Messages a lane may have in flight (until delivered and acknowledged); Infinity for a burst. */
  window: number;
  deadlineMs: number;
  /** Child processes to spread the lanes over. */
  procs: number;
  /** Pin the children to these cores ("1"), or leave them to the scheduler. */
  cores?: string;
  /** A niceness for the children (e.g. 10, so an unpinned generator yields to the broker). */
  nice?: number;
};

export type ProcsFlowResult = FlowResult & {
  acked: number;
  /** The generator processes' CPU time during the timed part, ms (all children). */
  generatorCpuMs: number;
};

/** Which lanes go to which child, and each lane's share of the messages (the first lanes take the remainder). */
export function planLanes(messages: number, lanes: number, procs: number): { index: number; quota: number }[][] {
  const plan: { index: number; quota: number }[][] = Array.from({ length: Math.min(procs, lanes) }, () => []);
  for (let i = 0; i < lanes; i++) plan[i % plan.length].push({ index: i, quota: Math.floor(messages / lanes) + (i < messages % lanes ? 1 : 0) });
  return plan;
}

type Child = { process: ChildProcess; report?: ChildReport };

function message<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`load generator ${child.pid}: no "${type}" in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { type: string; message?: string }) => {
      if (m.type === type) done(null, m as T);
      else if (m.type === "error") done(new Error(`load generator ${child.pid}: ${m.message}`));
    };
    const onExit = (code: number | null) => done(new Error(`load generator ${child.pid} exited (${code}) before "${type}"`));
    const done = (error: Error | null, value?: T) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(value as T);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Runs one QoS 1 pairs flow against the broker on `port`: set-up, the timed part, close, every child stopped. */
export async function runPairsProcs(port: number, spec: ProcsFlowSpec): Promise<ProcsFlowResult> {
  const script = await loadgenChildBundle();
  const children: Child[] = [];
  try {
    const plan = planLanes(spec.messages, QOS1_PAIRS, spec.procs);
    for (const lanes of plan) {
      // "advanced": structured clone, so a burst's window (Infinity) is not sent as null.
      const child = fork(script, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
      if (spec.cores !== undefined) pin(child.pid!, spec.cores);
      if (spec.nice !== undefined) setPriority(child.pid!, spec.nice);
      children.push({ process: child });
      const flow: ChildFlow = { port, lanes, window: spec.window, deadlineMs: spec.deadlineMs, tag: `bench-${child.pid}` };
      child.send({ type: "flow", flow });
    }
    // Connect and subscribe everywhere first, then start all lanes at once.
    await Promise.all(children.map((c) => message(c.process, "ready", 30_000)));
    const reports = children.map((c) => message<{ report: ChildReport }>(c.process, "done", spec.deadlineMs + 20_000));
    for (const c of children) c.process.send({ type: "go" });
    return combine((await Promise.all(reports)).map((m) => m.report));
  } finally {
    await Promise.all(children.map((c) => stop(c.process)));
  }
}

/** One flow's figures from its children's: the span from the first start to the last message done. */
export function combine(reports: readonly ChildReport[]): ProcsFlowResult {
  const sum = (f: (r: ChildReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const startedAt = Math.min(...reports.map((r) => r.startedAt));
  const lastAt = Math.max(...reports.map((r) => r.lastAt));
  return {
    delivered: sum((r) => r.delivered),
    acked: sum((r) => r.acked),
    expected: sum((r) => r.expected),
    elapsedMs: lastAt - startedAt,
    timedOut: reports.some((r) => r.timedOut),
    generatorCpuMs: sum((r) => r.cpuMs),
  };
}
