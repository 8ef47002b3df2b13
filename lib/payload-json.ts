// A payload read as text and as JSON, once per message (issue 12, review-14 F4): a Zigbee2MQTT
// state with three sensors was JSON.parse'd once per sensor, and once more by the recorder;
// a home/ `{"value":…}` reading was decoded from UTF-8 twice, for its reading and for its JSON.
// The Bus message keeps both (lib/bus-message.ts) and hands itself to whoever reads the
// payload: the readings parser and the value_template evaluator.

/** What a payload that is not JSON (or not UTF-8) parses to. */
export const NOT_JSON: unique symbol = Symbol("not JSON");

/** What a payload that is not UTF-8 decodes to. */
export const NOT_UTF8: unique symbol = Symbol("not UTF-8");

/** Where a payload's JSON is read from: parsed on first read and kept. */
export type JsonSource = { readonly json: unknown };

/** Where a payload's text and JSON are read from: each worked out on first read and kept (a BusMessage). */
export type PayloadSource = JsonSource & {
  /** The payload as UTF-8 text, untrimmed, or NOT_UTF8. */
  readonly text: string | typeof NOT_UTF8;
};

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The payload as UTF-8 text, or NOT_UTF8. */
export function decodePayload(payload: Uint8Array): string | typeof NOT_UTF8 {
  try {
    return decoder.decode(payload);
  } catch {
    return NOT_UTF8;
  }
}

/** `text` parsed, or NOT_JSON: for a caller that has no message to read it from. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
