// For the hub services' tests: Hearth's broker on a loopback port (the memory store,
// broker/mqtt/test-server.ts) with a local Bus among its hooks, as hub.ts composes it.
//   const { bus, url, close } = await startBusBroker({ now: () => T0 });
import type { Logger } from "../lib/log";
import { createLocalBus, type LocalBus } from "./local-bus";
import type { BrokerHook } from "./mqtt/hooks";
import { quietLog, startTestBroker, type TestBroker } from "./mqtt/test-server";

export type BusBroker = TestBroker & { bus: LocalBus };

export async function startBusBroker(
  options: { now?: () => number; log?: Logger; hooks?: BrokerHook<undefined>[] } = {},
): Promise<BusBroker> {
  const bus = createLocalBus(options.log ?? quietLog(), { now: options.now });
  const test = await startTestBroker<undefined>({ hooks: [...(options.hooks ?? []), bus] });
  bus.attach(test.broker);
  return { ...test, bus };
}
