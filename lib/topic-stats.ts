// What the topic explorer knows of every topic the broker has carried: the last
// payload, when it came, how often messages come, and whether the broker holds a
// retained message for it. Pure: the hub's tap (broker/topic-tap.ts) feeds it.
//
// The retained flag follows MQTT: a retained publish with a payload makes the
// broker keep it; a retained publish with an empty payload clears it; a plain
// publish leaves whatever the broker holds untouched.

export type TopicStat = {
  topic: string;
  /** The last payload as text, cut to PREVIEW_CHARS; "" when it was binary. */
  preview: string;
  /** The last payload's size when it was not UTF-8 text, for the explorer to word; else null. */
  binaryBytes: number | null;
  /** Epoch ms of the last message. */
  lastAt: number;
  count: number;
  /** Messages per minute over the last one to two rate windows. */
  ratePerMin: number;
  retained: boolean;
};

/** The last payload of one topic in full (up to PAYLOAD_CHARS), for the explorer's payload view. */
export type TopicPayload = {
  topic: string;
  /** The payload as text; "" when it was binary (then `binaryBytes` says its size). */
  text: string;
  binaryBytes: number | null;
  /** The text was cut at PAYLOAD_CHARS. */
  truncated: boolean;
  lastAt: number;
  retained: boolean;
};

export type TopicStatsOptions = { maxTopics?: number; rateWindowMs?: number };

export type TopicStats = {
  record(message: { topic: string; payload: Uint8Array; retain: boolean }, at: number): void;
  /** Every topic seen, sorted, with rates as of `now`. */
  snapshot(now: number): TopicStat[];
  /** Topics not tracked because the table was full. */
  overflow(): number;
  /** The last payload of `topic`, or null when the broker has not carried it. */
  payload(topic: string): TopicPayload | null;
};

export const PREVIEW_CHARS = 120;
/** How much of a payload the explorer keeps to show in full: 8 KiB of text at most per topic. */
export const PAYLOAD_CHARS = 8192;

type Entry = PayloadText & {
  lastAt: number;
  count: number;
  retained: boolean;
  windowStart: number;
  windowCount: number;
  previousCount: number;
};

const decoder = new TextDecoder("utf-8", { fatal: true });
const streamDecoder = new TextDecoder("utf-8", { fatal: true });

export type Preview = { preview: string; binaryBytes: number | null };
/** A payload as kept: its text up to PAYLOAD_CHARS (a copy: the socket's buffer is not held). */
type PayloadText = { text: string; truncated: boolean; binaryBytes: number | null };

function payloadText(payload: Uint8Array): PayloadText {
  if (payload.byteLength === 0) return { text: "", truncated: false, binaryBytes: null };
  const cut = payload.byteLength > PAYLOAD_CHARS * 4;
  try {
    // A cut may split a UTF-8 sequence: stream mode leaves its bytes out instead of refusing the payload.
    const text = cut ? streamDecoder.decode(payload.subarray(0, PAYLOAD_CHARS * 4), { stream: true }) : decoder.decode(payload);
    if (cut) streamDecoder.decode();
    return text.length > PAYLOAD_CHARS ? { text: text.slice(0, PAYLOAD_CHARS), truncated: true, binaryBytes: null } : { text, truncated: cut, binaryBytes: null };
  } catch {
    if (cut) streamDecoder.decode();
    return { text: "", truncated: false, binaryBytes: payload.byteLength };
  }
}

function previewOf(kept: PayloadText): Preview {
  const long = kept.truncated || kept.text.length > PREVIEW_CHARS;
  return { preview: long ? `${kept.text.slice(0, PREVIEW_CHARS)}…` : kept.text, binaryBytes: kept.binaryBytes };
}

/** A payload's one-line preview for the tree: text cut to PREVIEW_CHARS, or the size of a binary one. */
export function previewPayload(payload: Uint8Array): Preview {
  return previewOf(payloadText(payload));
}

export function createTopicStats({ maxTopics = 10_000, rateWindowMs = 30_000 }: TopicStatsOptions = {}): TopicStats {
  const entries = new Map<string, Entry>();
  let overflow = 0;

  /** Rolls the rate windows forward to the one holding `at`. */
  function roll(e: Entry, at: number): void {
    const windows = Math.floor((at - e.windowStart) / rateWindowMs);
    if (windows <= 0) return;
    e.previousCount = windows === 1 ? e.windowCount : 0;
    e.windowCount = 0;
    e.windowStart += windows * rateWindowMs;
  }

  return {
    record({ topic, payload, retain }, at) {
      let e = entries.get(topic);
      if (e === undefined) {
        if (entries.size >= maxTopics) {
          overflow++;
          return;
        }
        e = { text: "", truncated: false, binaryBytes: null, lastAt: at, count: 0, retained: false, windowStart: at, windowCount: 0, previousCount: 0 };
        entries.set(topic, e);
      }
      roll(e, at);
      Object.assign(e, payloadText(payload));
      e.lastAt = at;
      e.count++;
      e.windowCount++;
      if (retain) e.retained = payload.byteLength > 0;
    },

    snapshot(now) {
      const out: TopicStat[] = [];
      for (const [topic, e] of entries) {
        roll(e, now);
        // The current window is partly over; the previous one is whole.
        const spanMs = rateWindowMs + (now - e.windowStart);
        const ratePerMin = ((e.previousCount + e.windowCount) * 60_000) / Math.max(spanMs, 1);
        out.push({ topic, ...previewOf(e), lastAt: e.lastAt, count: e.count, ratePerMin, retained: e.retained });
      }
      return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    },

    overflow: () => overflow,

    payload(topic) {
      const e = entries.get(topic);
      if (e === undefined) return null;
      return { topic, text: e.text, binaryBytes: e.binaryBytes, truncated: e.truncated, lastAt: e.lastAt, retained: e.retained };
    },
  };
}
