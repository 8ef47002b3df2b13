// For tests: a broker on a loopback port with the hub's policy hooks (hub.ts) over real
// accounts — authenticate, publish and subscribe rights, a will's rights now — and the
// hub's device account watch on it; and the `hearth` CLI, run as an admin runs it.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { AccountStore } from "../lib/auth/account-store";
import { createLoginThrottle } from "../lib/auth/login-throttle";
import { ALL_TOPICS, type Principal } from "../lib/auth/roles";
import { createAuthenticate } from "./authenticate";
import { createAuthorizePublish } from "./authorize-publish";
import { createAuthorizeSubscribe } from "./authorize-subscribe";
import type { Broker } from "./mqtt/broker";
import type { BrokerHook } from "./mqtt/hooks";
import { createMemoryStore } from "./mqtt/memory-store";
import type { RestoredState } from "./mqtt/store";
import { quietLog, startTestBroker, type TestBroker } from "./mqtt/test-server";
import { createPrincipals } from "./principals";
import { createRightsNow, startDeviceAccountWatch, type DeviceAccountWatch } from "./rights-now";

export type TestHubBroker = Omit<TestBroker, "broker"> & { broker: Broker<Principal>; watch: DeviceAccountWatch };

/** Log lines go to `lines`; anonymous clients from loopback may do anything (they are the tests' watchers). */
export async function startHubBroker(accounts: AccountStore, lines: string[], initial?: RestoredState, sweepMs = 100): Promise<TestHubBroker> {
  const log = quietLog(lines);
  const principals = createPrincipals();
  const hooks: BrokerHook<Principal>[] = [
    principals,
    createAuthenticate({ accounts, anonymous: "loopback", anonymousTopics: ALL_TOPICS, principals, log, throttle: createLoginThrottle(), internalPassword: "x" }),
    createAuthorizePublish({ log }),
    createAuthorizeSubscribe({ log }),
    createRightsNow({ accounts, anonymous: "loopback", anonymousTopics: ALL_TOPICS }),
  ];
  const t = await startTestBroker<Principal>({ hooks, log, store: createMemoryStore(initial) });
  const broker = t.broker as Broker<Principal>;
  // Short by default, so a test sees what another process's change does without calling check().
  const watch = startDeviceAccountWatch({ accounts, broker, log, sweepMs });
  return { ...t, broker, watch, close: () => (watch.stop(), t.close()) };
}

/** The CLI as an admin runs it, against the data directory `dataDir`. */
export async function hearth(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile)(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "cli.ts"), ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: "test", HEARTH_DATA_DIR: dataDir },
  });
  try {
    const { stdout, stderr } = await run;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
