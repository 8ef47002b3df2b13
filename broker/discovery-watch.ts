// The hub's side of Home Assistant MQTT discovery (issue 5). It says "online" on
// `homeassistant/status`, as Home Assistant's birth message does, so Zigbee2MQTT,
// Tasmota and ESPHome announce (again) what they have; and it logs every config it
// hears, a bad one with its code, since the dashboard can only warn in a console.
//
// The birth message is retained, unlike Home Assistant's: the embedded broker
// starts before any device connects, so an unretained one would reach nobody.
import type { Logger } from "../lib/log";
import { DISCOVERY_PREFIX, DISCOVERY_STATUS_TOPIC, parseDiscovery } from "../lib/devices/ha-discovery";
import type { Bus } from "./bus";

export type DiscoveryWatch = { stop(): Promise<void> };

export async function startDiscoveryWatch(bus: Bus, log: Logger): Promise<DiscoveryWatch> {
  const unsubscribe = await bus.subscribe(`${DISCOVERY_PREFIX}/#`, ({ topic, payload }) => {
    const result = parseDiscovery(topic, payload);
    if (result.ok && result.kind === "config") {
      const { entity } = result;
      log.info("device announced", { topic, component: entity.component, name: entity.name, state: entity.stateTopic ?? undefined });
    } else if (result.ok) {
      log.info("device removed", { topic });
    } else if (result.code !== "not-discovery") {
      log.warn("discovery config ignored", { topic, code: result.code, error: result.message });
    }
  });
  await bus.publish(DISCOVERY_STATUS_TOPIC, "online", { qos: 1, retain: true });
  return {
    async stop() {
      await unsubscribe();
      // A broker that outlives the hub (an external one) must not keep saying "online".
      await bus.publish(DISCOVERY_STATUS_TOPIC, "offline", { qos: 1, retain: true }).catch(() => {});
    },
  };
}
