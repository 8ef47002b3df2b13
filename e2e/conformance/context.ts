// Runs one case against one broker over one transport: gives it unique topics and
// client ids, tracks every client it opens, and closes them all when it ends.
import mqtt, { type MqttClient } from "mqtt";
import type { CaseContext, ConformanceCase, Observation, Target } from "./case";
import { RawClient, rawConnect } from "./raw-client";

export async function runCase(c: ConformanceCase, target: Target): Promise<Observation> {
  const raws: RawClient[] = [];
  const clients: MqttClient[] = [];
  const deferred: (() => Promise<unknown> | unknown)[] = [];
  const scope = `${c.id}-${target.transport}`;
  const ctx: CaseContext = {
    target,
    topic: (name) => `conf/${scope}/${name}`,
    clientId: (name) => `${scope}-${name}`,
    async raw(name, version, connect = {}) {
      const opened = await rawConnect(target.endpoint, version, { clientId: ctx.clientId(name), clean: true, ...connect });
      raws.push(opened.client);
      return opened;
    },
    async open(version) {
      const client = await RawClient.open(target.endpoint, version);
      raws.push(client);
      return client;
    },
    async mqttjs(name, options) {
      const client = await mqtt.connectAsync(target.url, { clientId: ctx.clientId(name), reconnectPeriod: 0, connectTimeout: 5000, ...options }, false);
      clients.push(client);
      return client;
    },
    defer: (cleanup) => void deferred.push(cleanup),
  };
  try {
    return await c.run(ctx);
  } finally {
    for (const cleanup of deferred.reverse()) await Promise.resolve(cleanup()).catch(() => {});
    for (const client of raws) client.close();
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => {})));
  }
}
