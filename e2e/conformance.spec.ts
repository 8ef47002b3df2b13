// The differential conformance suite (issue 12, "Proof"): every case of the table
// in e2e/conformance/ runs against Mosquitto 2 (the reference, started here) and
// against Hearth's own listener, over TCP and WebSocket, at the same time. A broker
// that observes something other than what the clause expects fails its case,
// unless the case records the difference, the clause, and which broker is right.
import { writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { expect, test } from "@playwright/test";
import { asJson, expectedFor, type Broker, type Observation, type Target } from "./conformance/case";
import { CASES } from "./conformance/cases";
import { runCase } from "./conformance/context";
import { startMosquitto, type Mosquitto } from "./conformance/mosquitto";
import type { Transport } from "./conformance/raw-client";
import { startHearthEngine } from "./conformance/hearth-engine";
import { targetsFor } from "./conformance/targets";

let mosquitto: Mosquitto | undefined;
let hearth: { stop(): Promise<void> } | undefined;
const targets: Target[] = [];
const results: { id: string; clause: string; broker: Broker; transport: Transport; pass: boolean; difference: boolean }[] = [];
const BROKERS = (process.env.CONFORMANCE_BROKERS ?? "mosquitto,hearth").split(",") as Broker[];

test.beforeAll(async () => {
  if (BROKERS.includes("mosquitto")) {
    mosquitto = await startMosquitto();
    targets.push(...targetsFor("mosquitto", mosquitto));
  }
  if (BROKERS.includes("hearth")) {
    const engine = await startHearthEngine();
    hearth = engine;
    targets.push(...targetsFor("hearth", engine));
  }
});

test.afterAll(async () => {
  await mosquitto?.stop();
  await hearth?.stop();
  const rows = results.map((r) => `| ${r.id} | ${r.broker} | ${r.transport} | ${r.pass ? (r.difference ? "pass (recorded difference)" : "pass") : "FAIL"} |`);
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
      results.push({ id: c.id, clause: c.clause, broker: target.broker, transport: target.transport, pass, difference: !!difference });
      expect.soft(asJson(observed[i]), `${target.broker} over ${target.transport}`).toEqual(observation);
    });
  });
}
