// A demo device that describes itself: a Zigbee2MQTT-style smart plug, announced
// through Home Assistant discovery on topics outside `home/…`, with a JSON state
// (`{"state":"ON","power":41.2}`) that a switch and a power sensor both read. It
// announces again whenever it hears `homeassistant/status` `online` (the hub's
// birth message), as Zigbee2MQTT does, so the demo exercises the whole path.
import type { Logger } from "../lib/log";
import { DISCOVERY_STATUS_TOPIC } from "../lib/devices/ha-discovery";
import { applySwitchCommand } from "../lib/devices/switch-command";
import { connectMqttBus } from "./mqtt-bus";

const BASE = "hearth-sim/Hallway plug";
const AVAILABILITY = `${BASE}/availability`;
const DEVICE = {
  identifiers: ["hearth_sim_hallway_plug"],
  name: "Hallway plug",
  manufacturer: "Hearth",
  model: "Simulated smart plug",
  suggested_area: "Hallway",
};

/** The discovery configs, as Zigbee2MQTT would publish them for a plug with power metering. */
export const PLUG_DISCOVERY: ReadonlyArray<{ topic: string; config: object }> = [
  {
    topic: "homeassistant/switch/hearth_sim_hallway_plug/switch/config",
    config: {
      name: null,
      unique_id: "hearth_sim_hallway_plug_switch",
      state_topic: BASE,
      value_template: "{{ value_json.state }}",
      command_topic: `${BASE}/set`,
      payload_on: "ON",
      payload_off: "OFF",
      availability: [{ topic: AVAILABILITY }],
      device: DEVICE,
    },
  },
  {
    topic: "homeassistant/sensor/hearth_sim_hallway_plug/power/config",
    config: {
      name: "Power",
      unique_id: "hearth_sim_hallway_plug_power",
      state_topic: BASE,
      value_template: "{{ value_json.power }}",
      unit_of_measurement: "W",
      device_class: "power",
      availability: [{ topic: AVAILABILITY }],
      device: DEVICE,
    },
  },
];

export type SimulatedPlug = { stop(): Promise<void> };

export async function startSimulatedPlug(url: string, intervalMs: number, log: Logger): Promise<SimulatedPlug> {
  const bus = await connectMqttBus(url, {
    clientId: "hearth-sim-hallway-plug",
    keepalive: 30,
    reconnectPeriod: 2000,
    will: { topic: AVAILABILITY, payload: Buffer.from("offline"), qos: 1, retain: true },
  });
  let state: "ON" | "OFF" = "OFF";
  const failed = (topic: string) => (error: Error) => log.warn("publish failed", { topic, error: error.message });
  const publishState = () => {
    const power = state === "ON" ? Math.round((40 + Math.random() * 3) * 10) / 10 : 0;
    bus.publish(BASE, JSON.stringify({ state, power }), { qos: 1, retain: true }).catch(failed(BASE));
  };
  const announce = () => {
    for (const { topic, config } of PLUG_DISCOVERY) {
      bus.publish(topic, JSON.stringify(config), { qos: 1, retain: true }).catch(failed(topic));
    }
    bus.publish(AVAILABILITY, "online", { qos: 1, retain: true }).catch(failed(AVAILABILITY));
  };

  await bus.subscribe(`${BASE}/set`, ({ payload }) => {
    const next = applySwitchCommand(state, payload.toString("utf8"));
    if (next === null) return log.warn("ignored unknown command", { topic: `${BASE}/set` });
    state = next;
    publishState();
  });
  // The birth message is retained, so this also announces once right after connecting.
  await bus.subscribe(DISCOVERY_STATUS_TOPIC, ({ payload }) => {
    if (payload.toString("utf8").trim() === "online") announce();
  });
  bus.client.on("connect", () => bus.publish(AVAILABILITY, "online", { qos: 1, retain: true }).catch(failed(AVAILABILITY)));
  publishState();
  const timer = setInterval(() => state === "ON" && bus.client.connected && publishState(), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      // A clean disconnect does not fire the will: say "offline" first, as a real plug would.
      if (bus.client.connected) await bus.publish(AVAILABILITY, "offline", { qos: 1, retain: true }).catch(() => {});
      await bus.end();
    },
  };
}
