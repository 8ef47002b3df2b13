// The shape of the conformance table: a case is a behaviour, the clause that
// requires it, a scenario run against a broker, and the observation the clause
// expects. The same scenario runs against Mosquitto and against Hearth; a broker
// that observes something else fails, unless the case records the difference,
// names the clause, and says which broker is right (or that the clause allows both).
import type { IClientOptions, MqttClient } from "mqtt";
import type { IConnackPacket, IConnectPacket } from "mqtt-packet";
import type { SuiteLimits } from "./hearth-limits";
import type { Endpoint, ProtocolVersion, RawClient, Transport } from "./raw-client";

export type Broker = "mosquitto" | "hearth";

export type Target = {
  broker: Broker;
  transport: Transport;
  /** Where this transport listens: TCP, or WebSocket at /mqtt. */
  endpoint: Endpoint;
  /** The plain TCP port, for clients that speak TCP only (mosquitto_pub, paho as Home Assistant uses it). */
  tcpPort: number;
  /** mqtt.js's URL for this transport. */
  url: string;
  /** The broker's own settings a case compares with (Server Keep Alive). */
  limits: SuiteLimits;
};

export type Observation = Record<string, unknown>;

export type Difference = {
  broker: Broker;
  /** Only over this transport (default: both). */
  transport?: Transport;
  /** What this broker observes instead of `expected`. */
  observed: Observation;
  clause: string;
  /**
   * Which behaviour the spec calls right; "both" when the clause leaves it to the server
   * (a MAY); "neither" for a known deviation of both, each with its finding.
   */
  right: Broker | "both" | "neither";
  why: string;
};

export type CaseContext = {
  target: Target;
  /** A topic under this case and transport, so cases sharing one broker never meet. */
  topic(name: string): string;
  /** A client id unique to this case and transport. */
  clientId(name: string): string;
  /** A RawClient that has sent CONNECT (client id from `name`); closed when the case ends. */
  raw(
    name: string,
    version: ProtocolVersion,
    connect?: Partial<Omit<IConnectPacket, "cmd">>,
  ): Promise<{ client: RawClient; connack: IConnackPacket | null }>;
  /** A RawClient with nothing sent yet (to send a CONNECT by hand, or something else first). */
  open(version: ProtocolVersion): Promise<RawClient>;
  /** An mqtt.js client, connected; ended when the case ends. */
  mqttjs(name: string, options: IClientOptions): Promise<MqttClient>;
  /** Runs when the case ends, even if it failed (clear a retained message). */
  defer(cleanup: () => Promise<unknown> | unknown): void;
};

export type ConformanceCase = {
  /** Short, unique, used in topics and client ids. */
  id: string;
  /** The clause(s) the behaviour comes from: "[MQTT-3.1.3-8]", "MQTT 5 §3.3.2.3.4". */
  clause: string;
  title: string;
  /** Default: both. Cases whose client speaks TCP only list ["tcp"]. */
  transports?: Transport[];
  run(ctx: CaseContext): Promise<Observation>;
  expected: Observation;
  differs?: Difference[];
};

/** The observation a broker is held to: `expected`, or its recorded difference. */
export function expectedFor(c: ConformanceCase, target: Pick<Target, "broker" | "transport">): { observation: Observation; difference?: Difference } {
  const difference = c.differs?.find((d) => d.broker === target.broker && (d.transport ?? target.transport) === target.transport);
  return difference ? { observation: difference.observed, difference } : { observation: c.expected };
}

/** Observations compared as JSON: what a parser built (null-prototype objects, Buffers) compares by value. */
export const asJson = (observation: Observation): Observation => JSON.parse(JSON.stringify(observation)) as Observation;
