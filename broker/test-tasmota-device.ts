// For tests: a Tasmota plug on a real MQTT connection, doing what Tasmota's MqttConnected
// does (tasmota support_mqtt.ino): its LWT "Online", retained, *then* its subscription to
// `cmnd/<t>/#`; and answering an empty `cmnd/<t>/STATE` with its state on `stat/<t>/RESULT`
// (CmndState), the way a stock Tasmota 14 plug answers Home Assistant's poll.
import mqtt, { type MqttClient } from "mqtt";
import { PLUG_CONFIG, PLUG_STATE_ON } from "../lib/devices/fixtures/tasmota";

export type TasmotaPlug = {
  client: MqttClient;
  /** Every command it has been sent, in order: `STATE ""`, `POWER1 "ON"`. */
  commands: string[];
  /** Resolves at its next command on `cmnd/<t>/<command>`. */
  nextCommand(command: string): Promise<string>;
  end(): Promise<void>;
};

export async function tasmotaPlug(url: string, power: "ON" | "OFF" = "ON", clientId = "tasmota-F0C1D2"): Promise<TasmotaPlug> {
  const t = PLUG_CONFIG.t;
  const client = await mqtt.connectAsync(url, {
    clientId,
    protocolVersion: 4,
    reconnectPeriod: 0,
    will: { topic: `tele/${t}/LWT`, payload: Buffer.from("Offline"), qos: 1, retain: true },
  });
  const commands: string[] = [];
  const waiting: Array<{ command: string; resolve: (payload: string) => void }> = [];
  client.on("message", (topic, payload) => {
    const command = topic.slice(`cmnd/${t}/`.length);
    const text = payload.toString();
    commands.push(`${command} ${JSON.stringify(text)}`);
    if (command === "STATE") void client.publishAsync(`stat/${t}/RESULT`, JSON.stringify({ ...PLUG_STATE_ON, POWER: power }));
    for (const w of waiting.splice(0)) {
      if (w.command === command) w.resolve(text);
      else waiting.push(w);
    }
  });
  await client.publishAsync(`tele/${t}/LWT`, "Online", { qos: 1, retain: true });
  await client.subscribeAsync(`cmnd/${t}/#`, { qos: 0 });
  return {
    client,
    commands,
    nextCommand: (command) => new Promise((resolve) => waiting.push({ command, resolve })),
    end: () => client.endAsync(true),
  };
}
