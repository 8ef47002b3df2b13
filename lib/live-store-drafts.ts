// What one flush of the live store is made of (live-store.ts): the updates queued for it —
// MQTT messages, and the server-rendered readings and device states a page is seeded
// with — and the per-topic drafts they change, committed as immutable snapshots. Split
// from live-store.ts to keep it one idea per file; the store's hot path calls these
// once per update and once per changed topic, allocating exactly what it did inline.
import type { Availability, DeviceUpdate } from "./devices/live-registry";
import { messageUpdate } from "./devices/live-registry";
import type { LastState } from "./devices/last-states";
import type { LivePoint, TopicError } from "./live-point";
import type { Reading } from "./readings";
import { parseHomeTopic } from "./topics";

export type TopicSnapshot = {
  /** The MQTT topic for `home/<room>/<measurement>`; the entity key for a discovered sensor. */
  readonly topic: string;
  /** A discovered or configured sensor's friendly name; null: labelled from the measurement. */
  readonly name: string | null;
  readonly room: string;
  readonly measurement: string;
  /** The last good reading, kept while newer payloads are unreadable. */
  readonly reading: Reading | null;
  /** Set by an unreadable payload, cleared by the next good one. */
  readonly error: TopicError | null;
  /** A text sensor's state (ESPHome's IP address): a sensor with no unit or device class that reports text. */
  readonly text: string | null;
  /** Readings received live since page load, oldest first, capped. */
  readonly points: readonly LivePoint[];
  /** A discovered sensor's declared availability; null when it has none or has not said. */
  readonly availability: Availability | null;
};

export type Update =
  | {
      kind: "reading";
      topic: string;
      room: string;
      measurement: string;
      reading: Reading;
      /** Browser receive time for a live point; null for seeded and retained readings. */
      pointAt: number | null;
      seeded: boolean;
    }
  | { kind: "error"; topic: string; room: string; measurement: string; error: TopicError }
  | DeviceUpdate;

/** Queues the server-rendered latest readings (seeded: a fresher live reading wins). */
export function queueSeedReadings(pending: Update[], readings: readonly Reading[]): void {
  for (const reading of readings) {
    const { topic, room, measurement } = reading;
    pending.push({ kind: "reading", topic, room, measurement, reading, pointAt: null, seeded: true });
  }
}

/** Queues what the hub last heard on devices' state and availability topics, as retained messages (review-10 F1). */
export function queueSeedStates(pending: Update[], states: readonly LastState[]): void {
  const encoder = new TextEncoder();
  for (const { topic, payload, at } of states) {
    // Routed whether or not a device is known yet: the registry keeps it for the device's config.
    const update = messageUpdate(topic, parseHomeTopic(topic), true, encoder.encode(payload), at, true);
    if (update) pending.push(update);
  }
}

/** A topic being changed within one flush: copied once, however many updates it gets. */
export type TopicDraft = {
  topic: string;
  name: string | null;
  room: string;
  measurement: string;
  reading: Reading | null;
  error: TopicError | null;
  text: string | null;
  points: readonly LivePoint[];
  availability: Availability | null;
  /** Live points received since the last flush, appended (and capped) on commit. */
  added: LivePoint[];
};

/** A draft of `base` (a new topic's when undefined); `name`, when given, renames it. */
export function openDraft(topic: string, room: string, measurement: string, name: string | null, base: TopicSnapshot | undefined): TopicDraft {
  return {
    topic,
    name: name ?? base?.name ?? null,
    room,
    measurement,
    reading: base?.reading ?? null,
    error: base?.error ?? null,
    text: base?.text ?? null,
    points: base?.points ?? [],
    availability: base?.availability ?? null,
    added: [],
  };
}

/** The snapshot a draft commits to: its live points appended, the oldest past `maxPoints` dropped. */
export function commitDraft(draft: TopicDraft, maxPoints: number): TopicSnapshot {
  let points = draft.points;
  if (draft.added.length > 0) {
    points = points.concat(draft.added);
    if (points.length > maxPoints) points = points.slice(-maxPoints);
  }
  return {
    topic: draft.topic,
    name: draft.name,
    room: draft.room,
    measurement: draft.measurement,
    reading: draft.reading,
    error: draft.error,
    text: draft.text,
    points,
    availability: draft.availability,
  };
}
