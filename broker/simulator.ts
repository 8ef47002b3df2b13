// The demo home: simulated sensors and switches that connect to the hub over TCP
// as real MQTT clients, each with its own connection and last will, so a first
// start shows a living dashboard and exercises exactly the path real devices use.
import type { Logger } from "../lib/log";
import { connectMqttBus, type MqttBus } from "./mqtt-bus";
import { startSimulatedPlug } from "./simulated-plug";
import { applySwitchCommand } from "../lib/devices/switch-command";

type Wave = { base: number; amplitude: number; periodMin: number; noise: number; decimals: number };

type SensorSpec = { room: string; device: string; measurements: Record<string, Wave> };
type SwitchSpec = { room: string; device: string; initial: "ON" | "OFF" };

const SENSORS: SensorSpec[] = [
  {
    room: "living_room",
    device: "climate",
    measurements: {
      temperature: { base: 21.5, amplitude: 0.8, periodMin: 47, noise: 0.05, decimals: 1 },
      humidity: { base: 45, amplitude: 4, periodMin: 61, noise: 0.3, decimals: 0 },
      co2: { base: 650, amplitude: 180, periodMin: 37, noise: 8, decimals: 0 },
    },
  },
  {
    room: "kitchen",
    device: "climate",
    measurements: {
      temperature: { base: 22.4, amplitude: 1.2, periodMin: 29, noise: 0.05, decimals: 1 },
      humidity: { base: 52, amplitude: 6, periodMin: 41, noise: 0.4, decimals: 0 },
    },
  },
  {
    room: "bedroom",
    device: "climate",
    measurements: {
      temperature: { base: 19.2, amplitude: 0.6, periodMin: 53, noise: 0.04, decimals: 1 },
      humidity: { base: 48, amplitude: 3, periodMin: 67, noise: 0.3, decimals: 0 },
      co2: { base: 820, amplitude: 260, periodMin: 59, noise: 10, decimals: 0 },
    },
  },
  {
    room: "bathroom",
    device: "climate",
    measurements: {
      temperature: { base: 23.1, amplitude: 1.5, periodMin: 23, noise: 0.06, decimals: 1 },
      humidity: { base: 62, amplitude: 14, periodMin: 19, noise: 0.8, decimals: 0 },
    },
  },
  {
    room: "office",
    device: "climate",
    measurements: {
      temperature: { base: 20.8, amplitude: 0.9, periodMin: 43, noise: 0.05, decimals: 1 },
      humidity: { base: 41, amplitude: 3, periodMin: 71, noise: 0.3, decimals: 0 },
      illuminance: { base: 320, amplitude: 260, periodMin: 31, noise: 12, decimals: 0 },
    },
  },
];

const SWITCHES: SwitchSpec[] = [
  { room: "living_room", device: "lamp", initial: "OFF" },
  { room: "kitchen", device: "coffee_maker", initial: "OFF" },
];

export type SimulatorOptions = { url: string; intervalMs: number; log: Logger };
export type Simulator = { stop(): Promise<void>; readonly devices: number };

/** The value a wave has at `now`: a slow sine plus a little noise, rounded like a real sensor. */
export function sampleWave(wave: Wave, now: number, noise: number): number {
  const phase = (2 * Math.PI * now) / (wave.periodMin * 60_000);
  const value = wave.base + wave.amplitude * Math.sin(phase) + wave.noise * noise;
  const scale = 10 ** wave.decimals;
  return Math.round(value * scale) / scale;
}


const availabilityTopic = (room: string, device: string) => `home/${room}/${device}/availability`;

async function connectDevice(url: string, room: string, device: string): Promise<MqttBus> {
  const bus = await connectMqttBus(url, {
    clientId: `hearth-sim-${room}-${device}`,
    keepalive: 30,
    reconnectPeriod: 2000,
    // The broker publishes this if the device drops without saying goodbye.
    will: { topic: availabilityTopic(room, device), payload: Buffer.from("offline"), qos: 1, retain: true },
  });
  // After a reconnect the broker may have published the will: say "online" again each time.
  const announce = () => void bus.publish(availabilityTopic(room, device), "online", { qos: 1, retain: true });
  bus.client.on("connect", announce);
  announce();
  return bus;
}

export async function startSimulator({ url, intervalMs, log }: SimulatorOptions): Promise<Simulator> {
  const timers: NodeJS.Timeout[] = [];
  const devices: { bus: MqttBus; room: string; device: string }[] = [];
  const switchStates = new Map<string, "ON" | "OFF">();
  const publishFailed = (topic: string) => (error: Error) =>
    log.warn("publish failed", { topic, error: error.message });

  for (const spec of SWITCHES) {
    const bus = await connectDevice(url, spec.room, spec.device);
    devices.push({ bus, room: spec.room, device: spec.device });
    const stateTopic = `home/${spec.room}/${spec.device}/state`;
    switchStates.set(stateTopic, spec.initial);
    await bus.subscribe(`home/${spec.room}/${spec.device}/set`, ({ payload }) => {
      const next = applySwitchCommand(switchStates.get(stateTopic) ?? "OFF", payload.toString("utf8"));
      if (next === null) {
        log.warn("ignored unknown command", { topic: stateTopic.replace(/state$/, "set") });
        return;
      }
      switchStates.set(stateTopic, next);
      bus.publish(stateTopic, next, { qos: 1, retain: true }).catch(publishFailed(stateTopic));
    });
    await bus.publish(stateTopic, spec.initial, { qos: 1, retain: true });
  }

  for (const [index, spec] of SENSORS.entries()) {
    const bus = await connectDevice(url, spec.room, spec.device);
    devices.push({ bus, room: spec.room, device: spec.device });
    const publishAll = () => {
      const now = Date.now();
      for (const [measurement, wave] of Object.entries(spec.measurements)) {
        const topic = `home/${spec.room}/${measurement}`;
        const value = sampleWave(wave, now, Math.random() * 2 - 1);
        if (!bus.client.connected) continue; // QoS 0 readings are not queued while offline, as on a real sensor
        bus.publish(topic, String(value)).catch(publishFailed(topic));
      }
    };
    publishAll();
    // Stagger the sensors so the dashboard sees a steady trickle, not a burst every interval.
    const offset = Math.round((intervalMs * index) / SENSORS.length);
    timers.push(
      setTimeout(() => {
        publishAll();
        timers.push(setInterval(publishAll, intervalMs));
      }, offset),
    );
  }

  // A device that describes itself through Home Assistant discovery (issue 5).
  const plug = await startSimulatedPlug(url, intervalMs, log);

  log.info("demo home running", { devices: devices.length + 1, intervalMs });

  return {
    devices: devices.length + 1,
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      await plug.stop();
      // A clean disconnect does not fire the will, so say "offline" first, as a device shutting down would.
      await Promise.allSettled(
        devices.map(async ({ bus, room, device }) => {
          if (bus.client.connected) await bus.publish(availabilityTopic(room, device), "offline", { qos: 1, retain: true });
          await bus.end();
        }),
      );
    },
  };
}
