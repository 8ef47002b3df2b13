// The conformance table from the command line, without Playwright: for reproducing
// one case in one command, and for the engine's engineers while they work.
//   node --import tsx e2e/conformance/run.ts [case-id-substring…] [--hearth=engine|hub|none] [--mosquitto=none]
// --hearth=hub (the default) runs the real hub from dist/hub.mjs (node --import tsx scripts/build-hub.ts; it
// needs a next build); --hearth=engine the engine alone, without the hub's policy (the cases recording the hub's
// refusals — $-topics, Home Assistant over WebSocket — then show as failures).
// Prints each run's observation beside what is expected, and exits 1 if any differ.
import { isDeepStrictEqual } from "node:util";
import { asJson, expectedFor } from "./case";
import { CASES } from "./cases";
import { runCase } from "./context";
import { startHearthEngine } from "./hearth-engine";
import { TestHub } from "../hub";
import { ENGINE_LIMITS, HUB_ENV, HUB_LIMITS } from "./hearth-limits";
import { MOSQUITTO_LIMITS, startMosquitto } from "./mosquitto";
import { targetsFor } from "./targets";

async function startHub() {
  const hub = await TestHub.start({ env: HUB_ENV });
  return { tcpPort: hub.mqttPort, wsPort: hub.port, limits: HUB_LIMITS, stop: () => hub.dispose() };
}

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith("--"));
const option = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;

const mosquitto = option("mosquitto", "on") === "none" ? null : await startMosquitto();
const hearthKind = option("hearth", "hub");
const hearth =
  hearthKind === "none" ? null
  : hearthKind === "hub" ? await startHub()
  : { ...(await startHearthEngine()), limits: ENGINE_LIMITS };
const targets = [...(mosquitto ? targetsFor("mosquitto", mosquitto, MOSQUITTO_LIMITS) : []), ...(hearth ? targetsFor("hearth", hearth, hearth.limits) : [])];
let failed = 0;
try {
  for (const c of CASES.filter((c) => filters.length === 0 || filters.some((f) => c.id.includes(f)))) {
    const runs = targets.filter((t) => (c.transports ?? ["tcp", "ws"]).includes(t.transport));
    const observed = await Promise.all(runs.map((t) => runCase(c, t).catch((e: Error) => ({ error: e.message }))));
    runs.forEach((t, i) => {
      const { observation, difference } = expectedFor(c, t);
      const pass = isDeepStrictEqual(asJson(observed[i]), observation);
      if (!pass) failed++;
      console.log(`${pass ? "pass" : "FAIL"} ${c.id} ${t.broker}/${t.transport}${difference ? " (recorded difference)" : ""}`);
      if (!pass) console.log(`  expected ${JSON.stringify(observation)}\n  observed ${JSON.stringify(observed[i])}`);
    });
  }
} finally {
  await mosquitto?.stop();
  await hearth?.stop();
}
process.exit(failed > 0 ? 1 : 0);
