import { startAedes, startHub, startMosquitto, startEngine } from "../lib/servers";
import { runPairsProcs } from "../lib/loadgen";
import { runFlow } from "../lib/mqtt-load";
import { cpuTimeMs, pin } from "../lib/proc";
pin(process.pid, "1");
const which = process.argv[2] ?? "aedes";
const procs = Number(process.argv[3] ?? 2);
const s = which === "aedes" ? await startAedes({ core: 0 }) : which === "mosquitto" ? await startMosquitto({ core: 0 }) : which === "engine" ? await startEngine({ core: 0 }) : await startHub({ core: 0 });
try {
  await runPairsProcs(s.mqttPort, { messages: 5000, window: 50, deadlineMs: 20000, procs, cores: "1" });
  for (let i = 0; i < 3; i++) {
    let c0 = cpuTimeMs(s.pid);
    const r = await runPairsProcs(s.mqttPort, { messages: 30000, window: 50, deadlineMs: 20000, procs, cores: "1" });
    await new Promise((r) => setTimeout(r, 500));
    let c1 = cpuTimeMs(s.pid);
    console.log(which, "procs", procs, Math.round(r.delivered / r.elapsedMs * 1000), "msg/s", r.delivered, r.acked, r.expected, "gen", (r.generatorCpuMs * 1000 / r.delivered).toFixed(1), "µs/msg", "gen util", (r.generatorCpuMs / r.elapsedMs).toFixed(2), "broker", ((c1 - c0) * 1000 / r.delivered).toFixed(1), "µs/msg util", ((c1 - c0) / r.elapsedMs).toFixed(2));
    c0 = cpuTimeMs(s.pid);
    const o = await runFlow(s.mqttUrl, { pattern: "qos1-pairs", messages: 30000, window: 50, deadlineMs: 20000 });
    await new Promise((r) => setTimeout(r, 500));
    c1 = cpuTimeMs(s.pid);
    console.log(which, "old   ", Math.round(o.delivered / o.elapsedMs * 1000), "msg/s", "broker", ((c1 - c0) * 1000 / o.delivered).toFixed(1), "µs/msg util", ((c1 - c0) / o.elapsedMs).toFixed(2));
  }
} finally { await s.stop(); }
process.exit(0);
