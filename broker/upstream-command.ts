// A page's command sent upstream (the relay, issue 14; review-5 finding 14): sent now or
// refused, never kept for later. mqtt.js with clean start off keeps an unacknowledged
// QoS 1 publish across a lost connection and resends it after the next CONNACK — a lamp
// would switch minutes after the page showed the toggle failing, which README promises
// does not happen. So when the connection drops before the broker's PUBACK, or none comes
// within the wait, the command is refused (upstream-lost, upstream-command-timeout) and
// removed from mqtt.js's outgoing store. (The broker may still have received it: then it
// was delivered now, which is what the page asked for.)
import type { MqttClient } from "mqtt";
import type { PublishOptions } from "./bus";

/** How long a page's command waits for the broker's PUBACK before it is refused. */
export const COMMAND_ACK_TIMEOUT_MS = 5_000;

export function publishOrWithdraw(
  client: MqttClient,
  { topic, payload, options, timeoutMs, server }: { topic: string; payload: string | Buffer; options: PublishOptions; timeoutMs: number; server: string },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off("close", dropped);
      if (error) reject(error);
      else resolve();
    };
    const acked = (error?: Error) => settle(error);
    // mqtt.js knows the message by the packet id it picked: found through our callback.
    const withdraw = (error: Error) => {
      const id = Object.keys(client.outgoing).find((k) => client.outgoing[Number(k)].cb === acked);
      settle(error);
      if (id !== undefined) client.removeOutgoingMessage(Number(id));
    };
    const dropped = () => withdraw(new Error(`upstream-lost: the connection to ${server} dropped before the broker acknowledged`));
    const timer = setTimeout(
      () => withdraw(new Error(`upstream-command-timeout: the broker ${server} did not acknowledge within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.once("close", dropped);
    client.publish(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false }, acked);
  });
}
