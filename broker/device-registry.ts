// The hub's side of the device registry (issue 5).
//  - It says "online" on `homeassistant/status`, as Home Assistant's birth message
//    does, so Zigbee2MQTT, Tasmota and ESPHome announce (again) what they have. It is
//    retained, unlike Home Assistant's: the embedded broker starts before any device
//    connects, so an unretained one would reach nobody.
//  - It logs what discovery configs it was sent, in one line a burst (review 10, F14: one
//    line a config was 3,000 lines at every start of a big home, and hid the warnings),
//    and a bad one with its code (the dashboard can only warn in a console).
//  - It records the readings of discovered sensors whose value_template is not "as is":
//    that read a field of a JSON payload (`zigbee2mqtt/Greenhouse sensor` {"temperature":…}
//    → `ha:sensor/…/temperature`) or convert the number (`{{ value | float / 1000 }}`), so
//    their charts have history like any other, and the recorder leaves their topic alone.
//    A sensor whose payload is the number itself is the recorder's, under its own topic
//    (its key, lib/devices/registry.ts plainSensorTopic); the registry only names its unit.
//    One rule, one place (routeOf below, review-14 F1): one row per reading, never two.
//  - It keeps the last state and availability of every switch, light and binary sensor
//    (lib/devices/last-states.ts), for a page that opens later (review-10 F1).
//  - It asks a device that says it is online for its state, when its entities declare how
//    (a Tasmota relay: `cmnd/<t>/STATE`, review-15 L3; broker/state-polls.ts).
import type { Logger } from "../lib/log";
import type { DeviceConfig } from "../lib/devices/device-config";
import {
  DISCOVERY_PREFIX,
  DISCOVERY_STATUS_TOPIC,
  discoveryId,
  parseDiscovery,
  type DiscoveredEntity,
  type DiscoveryResult,
  type SkippedComponent,
} from "../lib/devices/ha-discovery";
import { createTasmotaDiscovery, TASMOTA_DISCOVERY_PREFIX, tasmotaDiscoveryTopic } from "../lib/devices/tasmota-discovery";
import { createLastStates, type LastState } from "../lib/devices/last-states";
import { buildEntities, type Entity } from "../lib/devices/registry";
import { readsJsonField, readsPayloadAsIs } from "../lib/devices/value-template";
import { inferUnit, parseReading, type ParseResult, type Reading } from "../lib/readings";
import type { Bus, BusMessage } from "./bus";
import { createStatePolls, POLL_AFTER_MS, type PollRoute } from "./state-polls";

export type DeviceRegistryOptions = {
  config: readonly DeviceConfig[];
  /** Where discovered sensors' readings go (the recorder), with the message they were read from: resolves once the reading is stored. */
  record(reading: Reading, message: BusMessage): Promise<void> | void;
  log: Logger;
  /** Kept current as devices are discovered; made before the broker, so the ACL and the recorder have it from the start. */
  known?: KnownDevices;
  /** How long announcements must pause before their summary line is logged (tests: 0). */
  summaryAfterMs?: number;
  /**
   * false on a broker Home Assistant shares (HEARTH_MQTT_URL): the birth is sent as
   * Home Assistant sends its own, unretained, and no "offline" is left on its topic.
   */
  retainBirth?: boolean;
  /** The birth waits for online() (broker/recording.ts: until the recorder is listening too, for the states it calls for). */
  deferBirth?: boolean;
  /** How long after a device says online its state is asked for (state-polls.ts; tests: less). */
  pollAfterMs?: number;
};

/**
 * What the broker's ACL and the recorder ask of the registry: the configured devices'
 * answers from the start, discovered ones' as they come (no registry filled in later).
 */
export type KnownDevices = {
  isCommandTopic(topic: string): boolean;
  routeOf(topic: string): RecorderRoute | null;
  /**
   * The reading history keeps under the message's own topic: the converting sensor's that replaces
   * the topic's (`home/garage/power` "1500" through `{{ value | float / 1000 }}` → 1.5 kW), read
   * once by the function the registry records it with; else the message's own (readingOf).
   */
  readingOf(message: BusMessage): ParseResult | null;
  /** What `sensor` reads in `message` (the registry's recording of it), worked out once for both: see createSensorReadings. */
  sensorReading(sensor: Entity, message: BusMessage): ParseResult;
  /** Where the current routes come from from now on (read at every question: the registry rebuilds them lazily). */
  update(routes: () => KnownRoutes): void;
};

type KnownRoutes = Pick<Routes, "commands" | "recorder" | "replacing">;

/**
 * What the recorder does with a known sensor's topic: record its reading in the unit the
 * sensor declared (null: the topic's own), or skip it, the registry recording it through
 * the sensor's template under the sensor's key. A topic no sensor names: null, recorded as is.
 */
export type RecorderRoute =
  | { readonly skip: true }
  /** `quiet`: sensors read other fields of the topic's JSON; what the recorder cannot read there is theirs, not an error. */
  | { readonly skip: false; readonly unit: string | null; readonly quiet?: true };

const SKIP: RecorderRoute = { skip: true };
/** Sensors read other fields of the topic (`{{ value_json.battery }}`): the topic's own `value` is still the recorder's. */
const OTHER_FIELDS: RecorderRoute = { skip: false, unit: null, quiet: true };

export function createKnownDevices(config: readonly DeviceConfig[]): KnownDevices {
  const initial = hubRoutesOf(config, []);
  let current: () => KnownRoutes = () => initial;
  const sensorReading = createSensorReadings();
  return {
    isCommandTopic: (topic) => current().commands.has(topic),
    routeOf: (topic) => current().recorder.get(topic) ?? null,
    readingOf(message) {
      const sensor = current().replacing.get(message.topic);
      return sensor === undefined ? message.reading : sensorReading(sensor, message);
    },
    sensorReading,
    update(routes) {
      current = routes;
    },
  };
}

/**
 * What a sensor reads in a message, through its value_template, in its unit, under its key:
 * the last one worked out is kept for the message in hand, so the registry (which records
 * it) and the alert engine (KnownDevices.readingOf), whichever asks first, run the template
 * once (review-17 F8: one memo per registry, not one per process). The result is shared by
 * both: a Reading is readonly (lib/readings.ts), so neither can change what the other sees.
 * It holds the last message a sensor read until the next one comes (one message, bounded).
 */
function createSensorReadings(): (sensor: Entity, message: BusMessage) => ParseResult {
  let lastMessage: BusMessage | null = null;
  let lastSensor: Entity | null = null;
  let lastResult: ParseResult | null = null;
  return (sensor, message) => {
    if (message !== lastMessage || sensor !== lastSensor || lastResult === null) {
      const options = { template: sensor.stateTemplate ?? undefined, unit: sensor.unit ?? undefined };
      lastResult = parseReading(sensor.key, sensor.room, sensor.measurement, message.payload, message.receivedAt, options, message);
      lastMessage = message;
      lastSensor = sensor;
    }
    return lastResult;
  };
}

export type HubDeviceRegistry = {
  /**
   * Whether `topic` is the command topic of a switch the hub knows (discovered or
   * configured): operators may publish there even outside `home/…/set` (issue 3's ACL).
   */
  isCommandTopic(topic: string): boolean;
  /** What the recorder does with `topic`'s readings (null: it records them as they are). */
  routeOf(topic: string): RecorderRoute | null;
  /** The reading stored under the message's topic, converted when a sensor converts it (KnownDevices.readingOf): what the alert engine judges. */
  readingOf(message: BusMessage): ParseResult | null;
  /** What each known device's state and availability topics last said, for a page that opens now (review-10 F1). */
  lastStates(): LastState[];
  /** The topics whose reading is a converting sensor's (readingOf), with the sensor's unit: what alert rules on them judge (review-17 F4). */
  converted(): ReadonlyMap<string, string>;
  /** Called after the routes are rebuilt (a discovered device came, changed or went), at the next question after the change. */
  onRoutesChanged(listener: () => void): void;
  /** Says "online" on homeassistant/status, as Home Assistant's birth does: devices announce themselves and their states. */
  online(): Promise<void>;
  stop(): Promise<void>;
};

type Routes = {
  /** Sensors the registry records through their template, under their key, by state topic. */
  sensors: Map<string, Entity[]>;
  /** Every known switch's command topic. */
  commands: Set<string>;
  /** What the recorder does with each known sensor's state topic. */
  recorder: Map<string, RecorderRoute>;
  /**
   * The sensor whose converted reading replaces a topic's own (the recorder skips the topic):
   * the one keyed by the topic when there is one (a `home/<room>/<measurement>` sensor), else the first.
   */
  replacing: Map<string, Entity>;
  /** The state topics of switches and binary sensors, and every entity's availability topics: what a page cannot read from history. */
  statusTopics: Set<string>;
  /** Who to ask for their state when an availability topic says online (state-polls.ts). */
  polls: Map<string, PollRoute[]>;
};

function hubRoutesOf(config: readonly DeviceConfig[], discovered: Iterable<DiscoveredEntity>): Routes {
  const routes: Routes = { sensors: new Map(), commands: new Set(), recorder: new Map(), replacing: new Map(), statusTopics: new Set(), polls: new Map() };
  for (const entity of buildEntities({ config, discovered, convention: [] }).values()) {
    if (entity.command) routes.commands.add(entity.command.topic);
    for (const source of entity.availability) {
      routes.statusTopics.add(source.topic);
      const { poll } = entity;
      if (poll === null) continue;
      const asked = routes.polls.get(source.topic) ?? [];
      if (!asked.some((p) => p.poll.topic === poll.topic)) routes.polls.set(source.topic, [...asked, { source, poll }]);
    }
    if (entity.kind !== "sensor" && entity.stateTopic !== null) routes.statusTopics.add(entity.stateTopic);
    if (entity.kind !== "sensor") for (const { topic } of entity.moreStates) routes.statusTopics.add(topic);
    if (entity.kind !== "sensor" || entity.stateTopic === null) continue;
    const topic = entity.stateTopic;
    // The recorder's reading of the topic is the sensor's: it records it, in the declared unit.
    if (entity.key === topic && readsPayloadAsIs(entity.stateTemplate)) {
      routes.recorder.set(topic, { skip: false, unit: entity.unit });
      routes.replacing.delete(topic);
      continue;
    }
    // Anything else reads the payload otherwise: the registry records it under its key.
    routes.sensors.set(topic, [...(routes.sensors.get(topic) ?? []), entity]);
    const route = routes.recorder.get(topic);
    // A sensor reading another field of the state leaves the topic's own reading (its `value`)
    // to the recorder, as before (review-15 M1); one that converts the payload or its `value`
    // replaces it, so the recorder skips the topic — unless a sensor keyed by the topic itself
    // has it recorded as is.
    if (readsJsonField(entity.stateTemplate)) {
      if (route === undefined) routes.recorder.set(topic, OTHER_FIELDS);
    } else if (route === undefined || route === OTHER_FIELDS || route === SKIP) {
      routes.recorder.set(topic, SKIP);
      if (entity.key === topic || !routes.replacing.has(topic)) routes.replacing.set(topic, entity);
    }
  }
  return routes;
}

/** The topics of discovery configs: their retained messages tell the registry which topics are sensors (upstream-retained-first.ts reads them first). */
export const DISCOVERY_FILTERS = [`${DISCOVERY_PREFIX}/#`, `${TASMOTA_DISCOVERY_PREFIX}/#`] as const;

export async function startDeviceRegistry(bus: Bus, options: DeviceRegistryOptions): Promise<HubDeviceRegistry> {
  const { config, record, log, known = createKnownDevices(config) } = options;
  const { sensorReading } = known;
  /** The entities of each discovery config, by its id (one for a component's, all of a device's). */
  const discovered = new Map<string, DiscoveredEntity[]>();
  let built = hubRoutesOf(config, []);
  let stale = false;
  const lastStates = createLastStates();
  /**
   * The routes, rebuilt when next asked for after a change, not at every config (review
   * 10, F16): Zigbee2MQTT's 3,000 configs back to back were 3,000 rebuilds of every
   * entity on the broker's thread, quadratic (1,500 configs: 1.8 s). A discovery config
   * asks for nothing, so a burst of them is one rebuild, at the next question (the ACL,
   * the recorder, the next device message).
   */
  const changed: (() => void)[] = [];
  const routes = (): Routes => {
    if (stale) {
      stale = false;
      built = hubRoutesOf(config, [...discovered.values()].flat());
      lastStates.keepOnly(built.statusTopics);
      for (const listener of changed) listener();
    }
    return built;
  };
  known.update(routes);
  const polls = createStatePolls(bus, log, options.pollAfterMs ?? POLL_AFTER_MS);
  const announced = createAnnouncements(log, options.summaryAfterMs ?? 2000);

  // The retained configs the bus hands over as it subscribes (the local bus: those the
  // broker restored at start, review-10 F15) are taken in together: one rebuild, one line.
  let restoring = true;
  let restored = 0;
  const onDiscovery = (topic: string, result: DiscoveryResult, replayed: boolean | undefined) => {
    if (result.ok && result.kind === "config") {
      const { id, entities, skipped } = result;
      const before = discovered.get(id);
      discovered.set(id, entities);
      if (skipped.length > 0) log.warn("discovery components ignored", { topic, components: skippedList(skipped) });
      const fields = { topic, entities: entities.map((e) => `${e.component} ${JSON.stringify(e.name)}`).join(", ") };
      if (restoring && replayed) {
        restored += entities.length;
        log.debug("device restored", fields);
      } else {
        announced.add(topic, before === undefined ? "new" : JSON.stringify(before) === JSON.stringify(entities) ? "unchanged" : "changed");
        log.debug("device announced", fields);
      }
    } else if (result.ok) {
      if (!discovered.delete(result.id)) return;
      log.info("device removed", { topic });
    } else {
      if (result.code !== "not-discovery") log.warn("discovery config ignored", { topic, code: result.code, error: result.message });
      return;
    }
    stale = true;
  };
  const unsubscribeDiscovery = await bus.subscribe(DISCOVERY_FILTERS[0], ({ topic, payload, replayed }) =>
    onDiscovery(topic, parseDiscovery(topic, payload), replayed),
  );
  // Tasmota's own discovery (review-10 F2): each device's config and sensors sample, read together.
  const readTasmota = createTasmotaDiscovery();
  const unsubscribeTasmota = await bus.subscribe(DISCOVERY_FILTERS[1], ({ topic, payload, replayed }) =>
    onDiscovery(topic, readTasmota(topic, payload), replayed),
  );
  restoring = false;
  if (restored > 0) log.info("devices restored from retained discovery configs", { entities: restored });

  // Discovered state topics can be anywhere; one in-process subscription and a map
  // lookup per message is cheaper than a subscription per topic kept in step.
  // Each entity reads its own field of the payload's JSON, parsed once on the message (review-14 F4).
  // What the handler returns holds the message's acknowledgement until its readings are stored (issue 12).
  const unsubscribeStates = await bus.subscribe("#", (message) => {
    const { topic, payload, receivedAt } = message;
    // A discovery config is no sensor's reading: a burst of them need not rebuild the routes
    // at each (F16). Only a config topic, though: DIY firmware often reports its state
    // under the prefix too (`homeassistant/sensor/bedroom/state`), and that message, the
    // first after its config, needs the rebuilt routes to be read at all.
    if (stale && ((topic.startsWith(`${DISCOVERY_PREFIX}/`) && discoveryId(topic) !== null) || tasmotaDiscoveryTopic(topic) !== null)) return;
    const current = routes();
    if (current.statusTopics.has(topic)) lastStates.heard(topic, payload, receivedAt);
    const asked = current.polls.get(topic);
    if (asked) polls.heard(asked, payload);
    const entities = current.sensors.get(topic);
    if (!entities) return;
    let stored: Promise<void>[] | null = null;
    for (const entity of entities) {
      const result = sensorReading(entity, message);
      if (result.ok) {
        const recorded = record(result.reading, message);
        if (recorded) (stored ??= []).push(recorded);
      } else if (result.code !== "empty") log.debug("unreadable discovered reading", { topic, entity: entity.key, code: result.code });
    }
    if (stored !== null) return Promise.all(stored).then(() => {});
  });

  const retainBirth = options.retainBirth ?? true;
  const online = () => bus.publish(DISCOVERY_STATUS_TOPIC, "online", { qos: 1, retain: retainBirth });
  if (options.deferBirth !== true) await online();
  return {
    online,
    isCommandTopic: known.isCommandTopic,
    routeOf: known.routeOf,
    readingOf: known.readingOf,
    // Asked after a removal the routes have not caught up with: they do first, so a removed device's states go.
    lastStates: () => {
      routes();
      return lastStates.list();
    },
    converted: () => new Map([...routes().replacing].map(([topic, sensor]) => [topic, sensor.unit ?? inferUnit(sensor.measurement)])),
    onRoutesChanged: (listener) => void changed.push(listener),
    async stop() {
      changed.length = 0;
      announced.stop();
      await unsubscribeStates();
      polls.stop();
      await unsubscribeDiscovery();
      await unsubscribeTasmota();
      // A broker that outlives the hub (an external one) must not keep saying "online".
      if (retainBirth) await bus.publish(DISCOVERY_STATUS_TOPIC, "offline", { qos: 1, retain: true }).catch(() => {});
    },
  };
}

/** `sensor/gw01/t (invalid-config: …), button/gw01/restart (unsupported-component: …)`, for one log line. */
function skippedList(skipped: readonly SkippedComponent[]): string {
  return skipped.map((s) => `${s.id} (${s.code}: ${s.message})`).join(", ");
}

/** The topics a summary line names, at most: a device or two joining are named; a start of thousands is counted. */
const NAMED = 10;

/**
 * Discovery configs counted into one line per burst: "devices announced" once they
 * pause for `afterMs`, new, changed and unchanged (a re-announce at every start and every
 * Home Assistant birth), naming the new and changed ones when there are few.
 */
function createAnnouncements(log: Logger, afterMs: number) {
  const counts = { new: 0, changed: 0, unchanged: 0 };
  const topics: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const count = counts.new + counts.changed + counts.unchanged;
    const named = topics.length > 0 && topics.length <= NAMED ? { topics: topics.join(" ") } : {};
    log.info("devices announced", { count, ...counts, ...named });
    counts.new = counts.changed = counts.unchanged = 0;
    topics.length = 0;
  };
  return {
    add(topic: string, kind: keyof typeof counts) {
      counts[kind]++;
      if (kind !== "unchanged") topics.push(topic);
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, afterMs);
      timer.unref();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
