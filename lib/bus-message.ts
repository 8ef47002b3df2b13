// A message as the Bus hands it to the hub's services (issue 12: "each message is
// turned from bytes into a typed event once"). The recorder, the alert engine, the
// device registry and the topic tap all read the same object; what the payload says
// as a reading is worked out on first use, by readingOf, and kept on the message, so
// a reading is parsed once however many services look at it — and none if none does.
import type { AckSlot } from "./ack-slot";
import { decodePayload, NOT_JSON, NOT_UTF8, parseJsonText, type PayloadSource } from "./payload-json";
import { parseReading, type ParseResult } from "./readings";
import { isGatewayCode, parseHomeTopic, topicLevels } from "./topics";

export type BusMessage = {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
  readonly qos: 0 | 1 | 2;
  /** Epoch ms the hub received it: stamps a reading whose payload carries no `ts`. */
  readonly receivedAt: number;
  /** The payload as a Reading (readingOf), parsed on first read and shared. */
  readonly reading: ParseResult | null;
  /**
   * The payload as JSON (NOT_JSON when it is not), parsed on first read and shared: the
   * reading above and every discovered sensor's value_template read it (review-14 F4: one
   * Zigbee2MQTT state with three sensors was parsed three times). Read-only to everyone.
   */
  readonly json: unknown;
  /** The payload as UTF-8 text (NOT_UTF8 when it is not), decoded on first read and shared by the reading and the JSON. */
  readonly text: string | typeof NOT_UTF8;
  /**
   * The broker's retained copy, sent because Hearth subscribed (upstream mode): the
   * topic's last state, not a message published now (broker/replayed-reading.ts).
   */
  readonly replayed?: boolean;
  /**
   * On Hearth's own broker, for a client's QoS 1/2 message: its acknowledgement waits for the
   * broker store's next group commit and then reads this slot (lib/ack-slot.ts). Absent
   * elsewhere (the upstream bus, the hub's own publishes): there an effect is a promise.
   */
  readonly ackSlot?: AckSlot;
};

/**
 * What a message says as a reading, for every hub service alike:
 * - `home/<room>/<measurement>`: a reading, or why its payload is not one;
 * - any other topic outside the hub's own: a reading when the payload is a number
 *   (issue 6: every numeric topic is kept), keyed by its topic, the measurement its
 *   last level — so a plain-numeric discovered sensor is one stored row, under the
 *   topic it is published on;
 * - null for topics that never carry readings: switches' state, commands and
 *   availability under `home/`, the codes OpenMQTTGateway's radio, infrared and serial
 *   modules pass on (lib/topics.ts isGatewayCode), the broker's `$…` statistics, and the hub's own
 *   `hearth/…` output (an alert state carries the `value` that fired it).
 */
export function readingOf(topic: string, payload: Uint8Array, receivedAt: number, source?: PayloadSource): ParseResult | null {
  if (topic.startsWith("$") || topic.startsWith("hearth/")) return null;
  const home = parseHomeTopic(topic);
  if (home !== null) {
    // An RF or IR remote's code that OpenMQTTGateway passes on is no measurement, though it sits in a `value`.
    if (home.kind !== "measurement" || isGatewayCode(home.measurement)) return null;
    return parseReading(topic, home.room, home.measurement, payload, receivedAt, undefined, source);
  }
  const levels = topicLevels(topic);
  return parseReading(topic, "", levels[levels.length - 1], payload, receivedAt, undefined, source);
}

const UNREAD = Symbol("unread");

class Message implements BusMessage, PayloadSource {
  #reading: ParseResult | null | typeof UNREAD = UNREAD;
  #text: string | typeof NOT_UTF8 | typeof UNREAD = UNREAD;
  #json: unknown = UNREAD;

  constructor(
    readonly topic: string,
    readonly payload: Buffer,
    readonly retain: boolean,
    readonly qos: 0 | 1 | 2,
    readonly receivedAt: number,
    readonly replayed: boolean,
    readonly ackSlot: AckSlot | undefined,
  ) {}

  get reading(): ParseResult | null {
    if (this.#reading === UNREAD) this.#reading = readingOf(this.topic, this.payload, this.receivedAt, this);
    return this.#reading;
  }

  /** The payload as UTF-8 text, decoded once for its reading and its JSON alike. */
  get text(): string | typeof NOT_UTF8 {
    if (this.#text === UNREAD) this.#text = decodePayload(this.payload);
    return this.#text;
  }

  get json(): unknown {
    if (this.#json === UNREAD) {
      const text = this.text;
      this.#json = text === NOT_UTF8 ? NOT_JSON : parseJsonText(text);
    }
    return this.#json;
  }
}

export function createBusMessage(fields: Omit<BusMessage, "reading" | "json" | "text">): BusMessage {
  return new Message(fields.topic, fields.payload, fields.retain, fields.qos, fields.receivedAt, fields.replayed === true, fields.ackSlot);
}
