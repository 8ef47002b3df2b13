// The recorder: every reading published on home/<room>/<measurement> goes into the
// history store, and so does every other topic whose payload is a number (issue 6:
// every numeric topic is kept, with no per-sensor opt-in), a plain-numeric discovered
// sensor among them, once, under its topic. Readings are buffered and written in groups, so a burst of
// messages costs one transaction instead of one each, and a slow or failing store
// never blocks message delivery: the bus handler only parses and buffers.
//
// "Acknowledged means stored" (issue 12): each reading's handler returns a promise that
// resolves when the transaction holding it has committed, and the broker sends the
// PUBACK / PUBREC only after it. So a group is written at once, at setImmediate (every
// reading that arrived in this turn of the event loop), not on a 250 ms timer; only a
// QoS 0 message's reading, which nobody waits on, may wait up to 100 ms for company in
// the hub's grouping store (appendLazily, broker/mqtt/write-group.ts). A store that
// does not group appends (PostgreSQL) gets them through recorder-buffer.ts. A
// failing store makes the acknowledgement WAIT: the reading stays pending and is
// retried with back-off, and its promise resolves when a retry commits it. It fails
// (rejects with code "reading-not-stored") only when the reading can no longer be
// stored: dropped from the bounded buffer, or still unwritten when the recorder stops.
// It is never resolved for a reading that was not committed.
import type { AckSlot } from "../lib/ack-slot";
import { HISTORY_BACKLOG_FULL, HISTORY_REFUSED, HistoryPartlyRefused, type HistoryStore } from "../lib/history/store";
import { createLogger, type Logger } from "../lib/log";
import type { Reading } from "../lib/readings";
import { parseHomeTopic } from "../lib/topics";
import type { Bus, BusMessage } from "./bus";
import type { RecorderRoute } from "./device-registry";
import { ReadingNotStored } from "./reading-not-stored";
import { createReadingBuffer } from "./recorder-buffer";
import { REPLAY_WINDOW_MS, replayIsNew } from "./replayed-reading";
import { createLogPace } from "./log-pace";
import { createLogThrottle, createUnreadableLog, MAX_THROTTLED_TOPICS, UNREADABLE_LOG_WINDOW_MS } from "./unreadable-log";

export { ReadingNotStored };

export type RecorderOptions = {
  /**
   * The longest a reading waits in the buffer before it is written. 0 (the default):
   * at setImmediate, with every reading that arrived in the same turn of the event loop.
   */
  flushIntervalMs?: number;
  /** A buffer this full is written at once, without waiting for the interval. */
  maxBatch?: number;
  log?: Logger;
  /** Paces the unreadable-payload warnings. (Readings are stamped with the message's receivedAt.) */
  now?: () => number;
  /**
   * What a known sensor's topic asks of the recorder (broker/device-registry.ts): record it in the
   * unit the device declared (a discovered sensor's unit_of_measurement, which wins over the
   * topic's own; null: none), or skip it, the registry recording it through the sensor's
   * template (review-14 F1: one row per reading). null: a topic no sensor names, recorded as is.
   */
  routeOf?: (topic: string) => RecorderRoute | null;
};

export type RecorderStats = {
  /** Readings written to the store. */
  recorded: number;
  /** Payloads on measurement topics that were not readings (empty ones are not counted). */
  unreadable: number;
  /** Readings waiting to be written. */
  pending: number;
};

export type Recorder = {
  /**
   * Writes every reading received so far. Never rejects: a failed write is logged,
   * and its readings stay pending for the next try.
   */
  flush(): Promise<void>;
  /** Unsubscribes, stops the timer and writes what is pending. */
  stop(): Promise<void>;
  stats(): RecorderStats;
  /**
   * Buffers a reading parsed elsewhere (a discovered sensor's, issue 5), to be written with
   * the rest. Resolves when it is committed; rejects with ReadingNotStored if it never will be.
   * `message`: the one it was read from, when that was a retained copy sent again on subscribe.
   */
  record(reading: Reading, message?: BusMessage): Promise<void>;
};

export async function startRecorder(
  bus: Bus,
  store: HistoryStore,
  opts: RecorderOptions = {},
): Promise<Recorder> {
  const { flushIntervalMs = 0, maxBatch = 1000, log = createLogger("recorder"), now = Date.now, routeOf = () => null } = opts;
  // A batch of 0 would never drain the buffer.
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
    throw new RangeError(`recorder: maxBatch must be a whole number of at least 1, got ${maxBatch}`);
  }
  const throttle = createLogThrottle(UNREADABLE_LOG_WINDOW_MS, MAX_THROTTLED_TOPICS);
  const unreadableLog = createUnreadableLog(log);

  let stopped = false;
  let recorded = 0;
  let unreadable = 0;
  /** Readings handed to a grouping store and not yet committed (appendNow). */
  let inStore = 0;
  /** The QoS 0 readings handed to a grouping store that share its promise `written` (appendLazily). */
  let lazyBatch: { written: Promise<void>; count: number } | null = null;
  /** The readings with an ack slot handed to a grouping store that share its promise `written`, and their slots (appendInGroup). */
  let slotBatch: { written: Promise<void>; readings: Reading[]; slots: AckSlot[] } | null = null;
  /** Readings the grouping store dropped for want of room (its backlog full), for the log's pace. */
  let dropped = 0;
  const buffer = createReadingBuffer(store, {
    flushIntervalMs,
    maxBatch,
    log,
    recorded: (count) => {
      recorded += count;
    },
    refused: (cause, topic) => notStored({ name: "HistoryRefused", code: HISTORY_REFUSED, message: cause.message }, 1, topic),
  });

  /**
   * The message's reading (lib/bus-message.ts readingOf, parsed once for every
   * service), and a promise for it (see the top of the file); undefined for a message
   * that holds none. A topic outside the home convention is kept when its payload
   * reads as a number; anything else there is skipped without a word, since most such
   * topics carry JSON state or text.
   */
  function onMessage(message: BusMessage): Promise<void> | undefined {
    if (stopped) return;
    const result = message.reading;
    if (result === null) return;
    // Asked only of a reading or a home/ measurement: a burst of discovery configs asks nothing, so the
    // registry rebuilds its routes once after it (review-10 F16). A device's JSON state costs no second
    // parse here: the reading is read from the message's shared JSON (review-14 F4).
    if (result.ok) {
      // A home/ topic that carried a number is a sensor: its unreadable payloads are warned about.
      if (message.topic.startsWith("home/")) unreadableLog.carried(message.topic);
      const route = routeOf(message.topic);
      if (route?.skip === true) return;
      const unit = route?.unit ?? null;
      const reading = unit === null ? result.reading : { ...result.reading, unit };
      if (message.replayed === true) return recordReplayed(reading, message);
      if (!store.groupsAppends) return enqueue(reading, message.qos);
      // A QoS 0 message's reading has no acknowledgement waiting on it: it may join a later group.
      if (message.qos === 0) return appendLazily(reading);
      // Its acknowledgement waits for the commit of the very group the reading joins: no promise of its own.
      if (message.ackSlot !== undefined) return appendInGroup(reading, message.ackSlot);
      return appendNow(reading);
    }
    const { topic } = message;
    if (parseHomeTopic(topic)?.kind !== "measurement") return;
    // A sensor's template reads what the recorder cannot (OpenMQTTGateway's SYStoMQTT JSON): the registry's, no warning.
    const route = routeOf(topic);
    if (route !== null && (route.skip || route.quiet === true)) return;
    if (result.code === "empty") {
      // An empty retained message is how MQTT clears a retained value: not a reading, not an error.
      log.debug("ignored empty payload", { topic });
      return;
    }
    unreadable++;
    unreadableLog.unreadable(topic, now(), result);
  }

  // Every start sends every retained topic again, and a line per copy filled the log with the
  // normal case (review-9 F4): the first at once, then one per replay window with the count.
  const heldLog = createLogPace(REPLAY_WINDOW_MS);

  /** A retained copy the upstream broker sent because Hearth subscribed: recorded only when history lacks it (replayed-reading.ts). */
  async function recordReplayed(reading: Reading, message: BusMessage): Promise<void> {
    // A history that cannot say (its database away): recorded, as before; a duplicate row beats a lost one.
    const isNew = await replayIsNew(store, reading, message.receivedAt).catch(() => true);
    if (isNew) return enqueue(reading, message.qos);
    // Acknowledged though not recorded: the rare live retained reading taken for a copy (replayed-reading.ts) shows here, per topic at debug.
    log.debug("skipped the retained copy the broker sent again on subscribe: history already holds a reading of its topic", {
      code: "replayed-reading-held",
      topic: reading.topic,
    });
    heldLog(1, (copies) =>
      log.info("skipped retained copies the broker sent again on subscribe: history already holds a reading of each one's topic", {
        code: "replayed-reading-held",
        copies,
        topic: reading.topic,
      }),
    );
  }

  /**
   * A reading to store with no ack slot: a grouping store takes it now (appendNow); else the
   * buffer, where a QoS 0 message's reading (nobody waits on it) may share its turn's group
   * and a waited-for one gets its own, so a refusal fails it alone.
   */
  function enqueue(reading: Reading, qos: number): Promise<void> {
    if (store.groupsAppends) return appendNow(reading);
    return buffer.enqueue(reading, qos === 0);
  }

  /**
   * A store that groups appends itself (SQLite history sharing the broker's write group,
   * broker/hub-stores.ts) gets each reading now, in the turn its message arrived, so its
   * row commits in the same transaction as the broker's state for that message (issue 12).
   * The store buffers, retries a failing write, and bounds its backlog.
   */
  function appendNow(reading: Reading): Promise<void> {
    inStore++;
    // No catch of its own (a promise fewer per QoS 1 reading, issue 12): from the bus, whoever
    // acknowledges the message waits on it (the broker's ack gate, the upstream bus's acks);
    // record() adds one for its callers.
    return store.append([reading]).then(appended, (error: Error & { code?: string }) => {
      inStore--;
      throw notStored(error, 1, reading.topic);
    });
  }

  function appended(): void {
    inStore--;
    recorded++;
  }

  /**
   * A QoS 0 message's reading, for a grouping store: nobody waits on it, so the store may
   * write it a little later with others (broker/mqtt/write-group.ts), and it gets no
   * promise of its own (a QoS 0 stream is the hub's hottest path). The store's promise
   * for its group (one per group) counts the group's readings once it settles.
   */
  function appendLazily(reading: Reading): undefined {
    const written = store.append([reading], { lazy: true });
    inStore++;
    if (lazyBatch?.written !== written) lazyBatch = countLazily(written);
    lazyBatch.count++;
    return undefined;
  }

  /** Counts the QoS 0 readings that share the promise `written` once it settles; the store says how many it refused (review-7 F5). */
  function countLazily(written: Promise<void>): { written: Promise<void>; count: number } {
    const batch = { written, count: 0 };
    written.then(
      () => {
        inStore -= batch.count;
        recorded += batch.count;
      },
      (error: Error & { code?: string }) => {
        inStore -= batch.count;
        const lost = error instanceof HistoryPartlyRefused ? error.refused.size : batch.count;
        recorded += batch.count - lost;
        notStored(error, lost);
      },
    );
    return batch;
  }

  /**
   * A client's QoS 1/2 reading on Hearth's own broker (lib/ack-slot.ts): its PUBACK waits for
   * the commit of the broker's write group, which is the group this reading joins, and reads
   * the slot the store writes a refusal into; so, as a QoS 0 reading, it gets no promise.
   */
  function appendInGroup(reading: Reading, ackSlot: AckSlot): undefined {
    const written = store.append([reading], { ackSlot });
    inStore++;
    if (slotBatch?.written !== written) slotBatch = countBySlot(written);
    slotBatch.readings.push(reading);
    slotBatch.slots.push(ackSlot);
    return undefined;
  }

  /**
   * Counts the readings with a slot that share the promise `written` once their group has
   * committed: each as its slot says, since the promise resolves with the commit whatever
   * the database refused of them (review-7 F5).
   */
  function countBySlot(written: Promise<void>): { written: Promise<void>; readings: Reading[]; slots: AckSlot[] } {
    const batch = { written, readings: [] as Reading[], slots: [] as AckSlot[] };
    written.then(
      () => {
        inStore -= batch.slots.length;
        for (let i = 0; i < batch.slots.length; i++) {
          const failed = batch.slots[i].failed;
          if (failed === null) recorded++;
          else notStored(failed, 1, batch.readings[i].topic);
        }
      },
      (error: Error & { code?: string }) => {
        inStore -= batch.slots.length;
        notStored(error, batch.slots.length);
      },
    );
    return batch;
  }

  // Dropped readings are logged at once, then at most one line with their count per 10 s (log-pace.ts, review-7 F8).
  const backlogFullLog = createLogPace(10_000);

  /** Why readings the store refused will never be stored; a full backlog is logged now and then. */
  function notStored(error: Error & { code?: string }, count: number, topic?: string): ReadingNotStored {
    const reason = error.code === HISTORY_BACKLOG_FULL ? "dropped" : error.code === HISTORY_REFUSED ? "refused" : "stopped";
    if (reason === "dropped") {
      backlogFullLog(count, (n) => log.error("history store fell behind; dropping new readings", { code: HISTORY_BACKLOG_FULL, dropped: n }));
      dropped += count;
    }
    // A refusal is the reading's own data (review-5 #2): logged per topic, throttled like unreadable payloads.
    if (reason === "refused" && throttle(topic ?? "(grouped QoS 0 readings)", now()) !== null) {
      log.error("the history database refused a reading", { code: HISTORY_REFUSED, topic, readings: count, error: error.message });
    }
    return new ReadingNotStored(reason);
  }

  const unsubscribe = await bus.subscribe("#", onMessage);
  let stopping: Promise<void> | null = null;

  return {
    flush: buffer.flush,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        await unsubscribe();
        await buffer.stop();
      })();
      return stopping;
    },
    stats: () => ({ recorded, unreadable, pending: buffer.pending() + inStore }),
    record(reading, message) {
      if (!stopped) {
        // Not from a message of the bus: waited for (a QoS 1 message's, as far as the buffer's groups go).
        const written = message?.replayed === true ? recordReplayed(reading, message) : enqueue(reading, 1);
        written.catch(() => {}); // a caller that does not wait must not crash the hub
        return written;
      }
      const refused = Promise.reject(new ReadingNotStored("stopped"));
      refused.catch(() => {}); // a caller that does not wait must not crash the hub
      return refused;
    },
  };
}
