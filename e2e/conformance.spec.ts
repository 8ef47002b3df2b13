// The differential conformance suite (issue 12, "Proof"): every case of the table
// in e2e/conformance/ runs against Mosquitto 2 (the reference, started here) and
// against the Hearth hub's own listeners — MQTT over TCP, and over WebSocket at /mqtt
// on the dashboard's port — at the same time. A broker that observes something other
// than what the clause expects fails its case, unless the case records the
// difference, the clause, and which broker is right. One Mosquitto and one hub serve
// every case; each case keeps to its own topics and client ids.
// CONFORMANCE_HEARTH=engine runs the engine alone (broker/mqtt) instead of the hub.
import { mkdirSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { asJson, expectedFor, type Broker, type Observation, type Target } from "./conformance/case";
import { CASES } from "./conformance/cases";
import { runCase } from "./conformance/context";
import { startHearthEngine } from "./conformance/hearth-engine";
import { ENGINE_LIMITS, HUB_ENV, HUB_LIMITS } from "./conformance/hearth-limits";
import { MOSQUITTO_LIMITS, startMosquitto } from "./conformance/mosquitto";
import type { Transport } from "./conformance/raw-client";
import { targetsFor } from "./conformance/targets";
import { expect, test, TestHub } from "./hub";

const stops: (() => Promise<void>)[] = [];
const targets: Target[] = [];
const results: { id: string; broker: Broker; transport: Transport; result: string }[] = [];

async function startHearth(): Promise<Target[]> {
  if (process.env.CONFORMANCE_HEARTH === "engine") {
    const engine = await startHearthEngine();
    stops.push(() => engine.stop());
    return targetsFor("hearth", engine, ENGINE_LIMITS);
  }
  const hub = await TestHub.start({ env: HUB_ENV });
  stops.push(() => hub.dispose());
  return targetsFor("hearth", { tcpPort: hub.mqttPort, wsPort: hub.port }, HUB_LIMITS);
}

test.beforeAll(async () => {
  const [mosquitto, hearth] = await Promise.all([startMosquitto(), startHearth()]);
  stops.push(() => mosquitto.stop());
  targets.push(...targetsFor("mosquitto", mosquitto, MOSQUITTO_LIMITS), ...hearth);
});

test.afterAll(async () => {
  for (const stop of stops) await stop();
  // The table of results, for the report: test-results/conformance.md.
  const rows = results.map((r) => `| ${r.id} | ${r.broker} | ${r.transport} | ${r.result} |`);
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/conformance.md", ["| case | broker | transport | result |", "| --- | --- | --- | --- |", ...rows, ""].join("\n"));
});

for (const c of CASES) {
  test(`${c.id}: ${c.title} ${c.clause}`, async () => {
    const runs = targets.filter((t) => (c.transports ?? ["tcp", "ws"]).includes(t.transport));
    const observed = await Promise.all(
      runs.map((target) => runCase(c, target).catch((error: Error): Observation => ({ error: error.stack ?? error.message }))),
    );
    runs.forEach((target, i) => {
      const { observation, difference } = expectedFor(c, target);
      const pass = isDeepStrictEqual(asJson(observed[i]), observation);
      const result = pass ? (difference ? `pass (differs: ${difference.right} right, ${difference.clause})` : "pass") : "FAIL";
      results.push({ id: c.id, broker: target.broker, transport: target.transport, result });
      expect.soft(asJson(observed[i]), `${target.broker} over ${target.transport}`).toEqual(observation);
    });
  });
}
