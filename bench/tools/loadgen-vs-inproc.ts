// Developer tool: the QoS 1 pairs steady lane on one broker, on the multi-process load
// generator (lib/loadgen.ts) in a few placements and on the old in-process one
// (lib/mqtt-load.ts), with the broker's and the generator's CPU per message and how
// busy the broker's core was: which one is the limit. Broker on core 0, this process on core 1.
//   node --import tsx bench/tools/loadgen-vs-inproc.ts [aedes|hearth|engine|mosquitto] [messages=30000] [reps=2]
import { runPairsProcs, type ProcsFlowSpec } from "../lib/loadgen";
import { runFlow } from "../lib/mqtt-load";
import { cpuTimeMs, pin } from "../lib/proc";
import { startAedes, startEngine, startHub, startMosquitto } from "../lib/servers";

const [which = "aedes", messages = "30000", reps = "2"] = process.argv.slice(2);
pin(process.pid, "1");
const start = { aedes: startAedes, mosquitto: startMosquitto, engine: startEngine, hearth: startHub }[which as "aedes"];
const server = await start({ core: 0 });
const PLACEMENTS: Record<string, Partial<ProcsFlowSpec>> = {
  "1 proc, core 1": { procs: 1, cores: "1" },
  "2 procs, core 1": { procs: 2, cores: "1" },
  "4 procs, core 1": { procs: 4, cores: "1" },
  "2 procs, any core, nice 10": { procs: 2, nice: 10 },
};
const quiet = () => new Promise((r) => setTimeout(r, 400));
try {
  await runPairsProcs(server.mqttPort, { messages: 3000, window: 50, deadlineMs: 20_000, procs: 2, cores: "1" });
  for (let rep = 0; rep < Number(reps); rep++) {
    for (const [name, placement] of Object.entries(PLACEMENTS)) {
      await quiet();
      const c0 = cpuTimeMs(server.pid);
      const r = await runPairsProcs(server.mqttPort, { messages: Number(messages), window: 50, deadlineMs: 20_000, procs: 2, ...placement });
      await quiet();
      const cpu = cpuTimeMs(server.pid) - c0;
      console.log(
        `${which} ${name.padEnd(28)} ${Math.round((r.delivered / r.elapsedMs) * 1000)} msg/s (${r.delivered}/${r.expected}, acked ${r.acked}), ` +
          `broker ${((cpu * 1000) / r.delivered).toFixed(1)} µs/msg, busy ${((cpu / r.elapsedMs) * 100).toFixed(0)} %; generator ${((r.generatorCpuMs * 1000) / r.delivered).toFixed(1)} µs/msg, ${((r.generatorCpuMs / r.elapsedMs) * 100).toFixed(0)} % of a core`,
      );
    }
    await quiet();
    const c0 = cpuTimeMs(server.pid);
    const o = await runFlow(server.mqttUrl, { pattern: "qos1-pairs", messages: Number(messages), window: 50, deadlineMs: 20_000 });
    await quiet();
    const cpu = cpuTimeMs(server.pid) - c0;
    console.log(`${which} ${"in-process mqtt.js (old)".padEnd(28)} ${Math.round((o.delivered / o.elapsedMs) * 1000)} msg/s, broker ${((cpu * 1000) / o.delivered).toFixed(1)} µs/msg, busy ${((cpu / o.elapsedMs) * 100).toFixed(0)} %`);
  }
} finally {
  await server.stop();
}
process.exit(0);
