// Developer tool (issue 12): the QoS 1 pairs burst alone, with each broker's own account
// of what it dropped. Runs the bench's flow (bench/lib/mqtt-load.ts, window ∞) against
// Mosquitto with its defaults (max_inflight_messages 20, max_queued_messages 1000, as the
// bench starts it, plus $SYS every second and NOTICE logging, where its drops are logged),
// the hub built from this tree (B) and, with AB_BUNDLE, another build of the hub (A: e.g.
// a copy of dist/ made before a change, `cp -r dist dist-base`). After each run it reads
// the drop counter from $SYS (Mosquitto: publish/messages/dropped; Hearth:
// messages/dropped, every 10 s) and counts the brokers' drop log lines.
//   AB_BUNDLE=dist-base/hub.mjs node --import tsx bench/tools/q1-burst.ts [messages=30000] [rounds=3] [deadlineMs=60000]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { freePort, portOpen } from "../../e2e/free-port";
import { abBuilds } from "../lib/ab-builds";
import { runFlow } from "../lib/mqtt-load";
import { cpuTimeMs, pin } from "../lib/proc";
import { MOSQUITTO, MOSQUITTO_BOUNDS, startHub } from "../lib/servers";

const [messages = "30000", rounds = "3", deadlineMs = "60000"] = process.argv.slice(2);

type Broker = {
  label: string;
  pid: number;
  url: string;
  droppedTopic: string;
  /** Mosquitto publishes the counter only when it changes (its retained copy is current within sys_interval); Hearth every 10 s. */
  sysEveryMs: number | null;
  dropLine: RegExp;
  output(): string;
  stop(): Promise<void>;
};

/** Mosquitto as the bench starts it (defaults), with $SYS every second and its NOTICE lines ("Outgoing messages are being dropped"). */
async function mosquitto(): Promise<Broker> {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-q1-burst-"));
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", `max_inflight_messages ${MOSQUITTO_BOUNDS.inflight}`, `max_queued_messages ${MOSQUITTO_BOUNDS.queued}`, "sys_interval 1", "log_dest stderr", "log_type all", ""].join("\n"));
  const child = spawn("taskset", ["-c", "0", MOSQUITTO, "-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (d) => (text += d));
  child.stderr!.on("data", (d) => (text += d));
  for (let i = 0; i < 100 && !(await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    label: "mosquitto",
    pid: child.pid!,
    url: `mqtt://127.0.0.1:${port}`,
    droppedTopic: "$SYS/broker/publish/messages/dropped",
    sysEveryMs: null,
    dropLine: /Outgoing messages are being dropped/,
    output: () => text,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function hub(label: string, bundle?: string): Promise<Broker> {
  const server = await startHub({ core: 0, bundle });
  return { label, pid: server.pid, url: server.mqttUrl, droppedTopic: "$SYS/broker/messages/dropped", sysEveryMs: 10_000, dropLine: /code="?queue-full/, output: server.output, stop: server.stop };
}

/** The broker's drop counter as its $SYS reports it next. */
async function sysDropped(broker: Broker): Promise<number> {
  if (broker.sysEveryMs === null) await new Promise((r) => setTimeout(r, 1500));
  const client = await mqtt.connectAsync(broker.url, { clientId: `q1-burst-sys-${process.pid}`, reconnectPeriod: 0 });
  try {
    const values: string[] = [];
    client.on("message", (_topic, payload, packet) => (broker.sysEveryMs === null || !packet.retain) && values.push(payload.toString()));
    await client.subscribeAsync(broker.droppedTopic);
    // A fresh publication (not the retained copy), so it counts everything before it.
    for (let i = 0; i < 120 && values.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    return values.length ? Number(values[0]) : NaN;
  } finally {
    await client.endAsync(true);
  }
}

pin(process.pid, "1");
const brokers: Broker[] = [];
try {
  brokers.push(await mosquitto());
  const { bundleB: other } = abBuilds();
  if (other) brokers.push(await hub("hub A", other));
  brokers.push(await hub("hub B"));
  for (const b of brokers) await runFlow(b.url, { pattern: "qos1-pairs", messages: 2000, window: 50, deadlineMs: 10_000 }); // warm-up
  const droppedSoFar = new Map<Broker, number>();
  for (const b of brokers) droppedSoFar.set(b, await sysDropped(b));
  for (let round = 0; round < Number(rounds); round++) {
    for (const b of round % 2 === 0 ? brokers : [...brokers].reverse()) {
      const linesBefore = b.output().split("\n").filter((l) => b.dropLine.test(l)).length;
      const cpu0 = cpuTimeMs(b.pid);
      const r = await runFlow(b.url, { pattern: "qos1-pairs", messages: Number(messages), window: Infinity, deadlineMs: Number(deadlineMs) });
      const cpu = cpuTimeMs(b.pid) - cpu0;
      const droppedNow = await sysDropped(b);
      const dropped = droppedNow - (droppedSoFar.get(b) || 0);
      droppedSoFar.set(b, droppedNow);
      const lines = b.output().split("\n").filter((l) => b.dropLine.test(l)).length - linesBefore;
      console.log(
        `${b.label.padEnd(9)} ${r.delivered}/${r.expected} delivered${r.timedOut ? " (deadline)" : ""} in ${r.elapsedMs.toFixed(0)} ms` +
          ` = ${((r.delivered * 1000) / r.elapsedMs / 1000).toFixed(1)}k msg/s, ${((cpu * 1000) / r.delivered).toFixed(1)} µs CPU/msg;` +
          ` $SYS dropped +${dropped}, drop log lines +${lines}`,
      );
    }
  }
  for (const b of brokers) {
    const sample = b.output().split("\n").find((l) => b.dropLine.test(l));
    if (sample) console.log(`${b.label} e.g.: ${sample.slice(0, 240)}`);
  }
} finally {
  await Promise.all(brokers.map((b) => b.stop()));
}
