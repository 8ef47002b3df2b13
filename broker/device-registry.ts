// The hub's side of the device registry (issue 5).
//  - It says "online" on `homeassistant/status`, as Home Assistant's birth message
//    does, so Zigbee2MQTT, Tasmota and ESPHome announce (again) what they have. It is
//    retained, unlike Home Assistant's: the embedded broker starts before any device
//    connects, so an unretained one would reach nobody.
//  - It logs every discovery config, a bad one with its code (the dashboard can only
//    warn in a console).
//  - It records the readings of discovered sensors that live outside `home/…`
//    (`zigbee2mqtt/Greenhouse sensor` → `ha:sensor/…/temperature`), so their charts
//    have history like any other; the recorder itself reads `home/…`.
import type { Logger } from "../lib/log";
import type { DeviceConfig } from "../lib/devices/device-config";
import {
  DISCOVERY_PREFIX,
  DISCOVERY_STATUS_TOPIC,
  parseDiscovery,
  type DiscoveredEntity,
} from "../lib/devices/ha-discovery";
import { buildEntities, type Entity } from "../lib/devices/registry";
import { parseReading, type Reading } from "../lib/readings";
import { parseHomeTopic } from "../lib/topics";
import type { Bus } from "./bus";

export type DeviceRegistryOptions = {
  config: readonly DeviceConfig[];
  /** Where discovered sensors' readings go (the recorder). */
  record(reading: Reading): void;
  log: Logger;
  now?: () => number;
};

export type HubDeviceRegistry = {
  /**
   * Whether `topic` is the command topic of a switch the hub knows (discovered or
   * configured): operators may publish there even outside `home/…/set` (issue 3's ACL).
   */
  isCommandTopic(topic: string): boolean;
  stop(): Promise<void>;
};

type Routes = {
  /** Sensors whose readings the recorder would not see by itself, by state topic. */
  sensors: Map<string, Entity[]>;
  /** Every known switch's command topic. */
  commands: Set<string>;
};

function hubRoutesOf(config: readonly DeviceConfig[], discovered: Iterable<DiscoveredEntity>): Routes {
  const routes: Routes = { sensors: new Map(), commands: new Set() };
  for (const entity of buildEntities({ config, discovered, convention: [] }).values()) {
    if (entity.command) routes.commands.add(entity.command.topic);
    if (entity.kind !== "sensor" || entity.stateTopic === null || parseHomeTopic(entity.stateTopic)) continue;
    routes.sensors.set(entity.stateTopic, [...(routes.sensors.get(entity.stateTopic) ?? []), entity]);
  }
  return routes;
}

export async function startDeviceRegistry(bus: Bus, options: DeviceRegistryOptions): Promise<HubDeviceRegistry> {
  const { config, record, log, now = Date.now } = options;
  const discovered = new Map<string, DiscoveredEntity>();
  let routes = hubRoutesOf(config, []);

  const unsubscribeDiscovery = await bus.subscribe(`${DISCOVERY_PREFIX}/#`, ({ topic, payload }) => {
    const result = parseDiscovery(topic, payload);
    if (result.ok && result.kind === "config") {
      const { entity } = result;
      discovered.set(entity.id, entity);
      log.info("device announced", { topic, component: entity.component, name: entity.name, state: entity.stateTopic ?? undefined });
    } else if (result.ok) {
      if (!discovered.delete(result.id)) return;
      log.info("device removed", { topic });
    } else {
      if (result.code !== "not-discovery") log.warn("discovery config ignored", { topic, code: result.code, error: result.message });
      return;
    }
    routes = hubRoutesOf(config, discovered.values());
  });

  // Discovered state topics can be anywhere; one in-process subscription and a map
  // lookup per message is cheaper than a subscription per topic kept in step.
  const unsubscribeStates = await bus.subscribe("#", ({ topic, payload }) => {
    const entities = routes.sensors.get(topic);
    if (!entities) return;
    const at = now();
    for (const entity of entities) {
      const result = parseReading(entity.key, entity.room, entity.measurement, payload, at, {
        field: entity.stateField ?? undefined,
        unit: entity.unit ?? undefined,
      });
      if (result.ok) record(result.reading);
      else if (result.code !== "empty") log.debug("unreadable discovered reading", { topic, entity: entity.key, code: result.code });
    }
  });

  await bus.publish(DISCOVERY_STATUS_TOPIC, "online", { qos: 1, retain: true });
  return {
    isCommandTopic: (topic) => routes.commands.has(topic),
    async stop() {
      await unsubscribeStates();
      await unsubscribeDiscovery();
      // A broker that outlives the hub (an external one) must not keep saying "online".
      await bus.publish(DISCOVERY_STATUS_TOPIC, "offline", { qos: 1, retain: true }).catch(() => {});
    },
  };
}
