// A payload read as JSON, once per message (issue 12, review-14 F4): a Zigbee2MQTT state
// with three sensors was JSON.parse'd once per sensor, and once more by the recorder.
// The Bus message keeps the parse (lib/bus-message.ts) and hands itself to whoever reads
// the payload's JSON: the readings parser and the value_template evaluator.

/** What a payload that is not JSON (or not UTF-8) parses to. */
export const NOT_JSON: unique symbol = Symbol("not JSON");

/** Where a payload's JSON is read from: parsed on first read and kept. */
export type JsonSource = { readonly json: unknown };

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The payload's JSON value, or NOT_JSON. */
export function parsePayloadJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(payload));
  } catch {
    return NOT_JSON;
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
