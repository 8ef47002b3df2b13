// The recorder and the device registry, started in the order one rule needs (review-14 F1:
// a sensor's reading is stored once, by the recorder under its topic or by the registry
// under its key, never both). The registry starts first: the retained discovery configs it
// takes in tell the recorder, from the first retained state the recorder is handed as it
// subscribes, which topics are the registry's. Started the other way round, a retained
// converting sensor's state (`shellies/plug/power` "1500" read as kW) was stored raw under
// its topic at every start, beside the registry's row.
import type { HistoryStore } from "../lib/history/store";
import type { Reading } from "../lib/readings";
import type { Bus, BusMessage } from "./bus";
import { startDeviceRegistry, type DeviceRegistryOptions, type HubDeviceRegistry } from "./device-registry";
import { startRecorder, type Recorder, type RecorderOptions } from "./recorder";

export type RecordingOptions = {
  recorder: Omit<RecorderOptions, "routeOf">;
  devices: Omit<DeviceRegistryOptions, "record">;
};

export async function startRecording(bus: Bus, history: HistoryStore, options: RecordingOptions): Promise<{ recorder: Recorder; devices: HubDeviceRegistry }> {
  let recorder: Recorder | null = null;
  /** What the registry read before the recorder was there: retained states handed over as it subscribed. */
  const early: Array<[Reading, BusMessage]> = [];
  const devices = await startDeviceRegistry(bus, {
    ...options.devices,
    deferBirth: true,
    // Not waited for while held: a retained copy has no acknowledgement waiting on it. Nothing
    // else comes meanwhile: the listeners start, and the upstream bus connects, after this
    // returns (broker/hub.ts; broker/upstream-hold.test.ts).
    record: (reading, message) => (recorder ? recorder.record(reading, message) : void early.push([reading, message])),
  });
  try {
    recorder = await startRecorder(bus, history, { ...options.recorder, routeOf: devices.routeOf });
    // Stored before the hub goes on, as the recorder's own retained copies are (the bus waits for them as it subscribes).
    const started = recorder;
    await Promise.allSettled(early.splice(0).map(([reading, message]) => started.record(reading, message)));
    // Devices answer the birth with their configs and states: the recorder is listening by now.
    await devices.online();
  } catch (error) {
    await devices.stop().catch(() => {});
    await recorder?.stop().catch(() => {});
    throw error;
  }
  return { recorder, devices };
}
