// $SYS topics (MQTT 3.1.1 §4.7.2; Mosquitto's names): broker statistics every
// interval, retained, and an event per client connecting or leaving (aedes's
// $SYS/<id>/new/clients). Published as the broker's own QoS 0 messages.
import type { Core } from "./core";

const VERSION = "Hearth MQTT broker 1.0";

export function startSys<P>(core: Core<P>, intervalMs: number): () => void {
  const publish = (topic: string, value: string | number, retain: boolean) => {
    const effects = core.accept(
      { topic: `$SYS/broker/${topic}`, payload: Buffer.from(String(value)), qos: 0, retain, properties: {}, expiresAt: null, receivedAt: Date.now() },
      null,
    );
    if (effects) Promise.all(effects).catch(() => {});
  };
  const tick = () => {
    const s = core.stats();
    publish("version", VERSION, true);
    publish("uptime", `${Math.round((Date.now() - s.startedAt) / 1000)} seconds`, true);
    publish("clients/connected", s.connections, true);
    publish("clients/total", s.sessions, true);
    publish("messages/received", s.messagesReceived, true);
    publish("messages/sent", s.messagesSent, true);
    publish("messages/dropped", s.dropped.queueFull + s.dropped.tooLarge + s.dropped.expired, true);
    publish("retained messages/count", s.retained, true);
    // Mosquitto's name: every message the broker holds, retained ones and those queued, in flight or owed to sessions.
    publish("store/messages/count", s.retained + s.queued + s.owedRetained, true);
    publish("subscriptions/count", s.subscriptions, true);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  core.onClientEvent = (event, clientId) => publish(`${event}/clients`, clientId, false);
  return () => {
    clearInterval(timer);
    core.onClientEvent = null;
  };
}
