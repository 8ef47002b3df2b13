// The browser's alert state: every retained message on hearth/alerts/# lands here,
// is validated once with the hub's own schema, and is published to React as
// immutable snapshots, the way lib/live-store.ts does readings: the list of alerts
// (worst first), the ones asking for attention, and per watched topic the worst
// severity firing on it, so a tile re-renders only when its own colour changes.
import { parseAlertTopic } from "./alerts/topic-key";
import { SEVERITY_RANK, type Severity } from "./alerts/rule";
import { alertViewSchema, byUrgency, type AlertView } from "./alerts/view";
import { frameOrTimeout, type Schedule } from "./frame-schedule";

export type LiveAlertStoreOptions = { schedule?: Schedule };

export type LiveAlertStore = {
  /** A message on `hearth/alerts/<rule-id>/<topic-key>`; an empty payload removes that alert. */
  ingest(topic: string, payload: Uint8Array, options?: { retained?: boolean }): void;
  /** Applies the server-rendered alerts at once (no frame wait). */
  seed(alerts: readonly AlertView[]): void;
  /** Counts messages ingested; pass it to `replace` for a snapshot fetched after reading it. */
  generation(): number;
  /**
   * Makes the store exactly the hub's snapshot, keeping what arrived live since
   * `since` (it is newer): after a reconnect, an alert whose rule was deleted
   * meanwhile is gone, though its cleared retained state was never seen.
   */
  replace(alerts: readonly AlertView[], since: number): void;
  flush(): void;
  /** Every alert that is not ok, worst first. */
  getAlerts(): readonly AlertView[];
  /** Firing, unacknowledged and not snoozed, worst first: what the banner shows. */
  getAttention(): readonly AlertView[];
  /** The worst severity firing on a watched topic, or null. */
  getTopicSeverity(topic: string): Severity | null;
  subscribe(listener: () => void): () => void;
  subscribeTopic(topic: string, listener: () => void): () => void;
  /** Called for each live (not retained) firing the hub chose to notify: browser notifications and the sound. */
  onNotify(listener: (alert: AlertView) => void): () => void;
};

const decoder = new TextDecoder("utf-8", { fatal: true });
const EMPTY: readonly AlertView[] = [];

function parsePayload(payload: Uint8Array): AlertView | null {
  try {
    const parsed = alertViewSchema.safeParse(JSON.parse(decoder.decode(payload)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function createLiveAlertStore(options: LiveAlertStoreOptions = {}): LiveAlertStore {
  const schedule = options.schedule ?? frameOrTimeout;
  /** `<rule-id>/<topic>` → alert. */
  const byKey = new Map<string, AlertView>();
  let alerts: readonly AlertView[] = EMPTY;
  let attention: readonly AlertView[] = EMPTY;
  const severities = new Map<string, Severity>();
  const listeners = new Set<() => void>();
  const topicListeners = new Map<string, Set<() => void>>();
  const notifyListeners = new Set<(alert: AlertView) => void>();
  let pending: [key: string, alert: AlertView | null][] = [];
  let ingested = 0;
  /** The generation at which each key last arrived live. */
  const arrivedAt = new Map<string, number>();
  let cancelFlush: (() => void) | null = null;

  function enqueue(key: string, alert: AlertView | null): void {
    pending.push([key, alert]);
    cancelFlush ??= schedule(flush);
  }

  function ingest(topic: string, payload: Uint8Array, ingestOptions: { retained?: boolean } = {}): void {
    const ref = parseAlertTopic(topic);
    if (ref === null) return;
    const key = `${ref.ruleId}/${ref.topic}`;
    arrivedAt.set(key, ++ingested);
    if (payload.byteLength === 0) {
      enqueue(key, null);
      return;
    }
    const alert = parsePayload(payload);
    if (alert === null || alert.ruleId !== ref.ruleId || alert.topic !== ref.topic) {
      console.warn(`hearth: ignored an alert state on ${topic} that does not parse`);
      return;
    }
    const previous = byKey.get(key);
    if (!ingestOptions.retained && alert.status === "firing" && alert.notifiedAt !== null && alert.notifiedAt !== previous?.notifiedAt) {
      for (const listener of notifyListeners) listener(alert);
    }
    enqueue(key, alert);
  }

  function seed(seeded: readonly AlertView[]): void {
    for (const alert of seeded) pending.push([`${alert.ruleId}/${alert.topic}`, alert]);
    flush();
  }

  function replace(snapshot: readonly AlertView[], since: number): void {
    flush();
    const fresh = (key: string) => (arrivedAt.get(key) ?? 0) > since;
    const keys = new Set(snapshot.map((alert) => `${alert.ruleId}/${alert.topic}`));
    for (const key of byKey.keys()) if (!keys.has(key) && !fresh(key)) pending.push([key, null]);
    for (const alert of snapshot) {
      const key = `${alert.ruleId}/${alert.topic}`;
      if (!fresh(key)) pending.push([key, alert]);
    }
    flush();
  }

  function flush(): void {
    cancelFlush?.();
    cancelFlush = null;
    if (pending.length === 0) return;
    for (const [key, alert] of pending) {
      if (alert === null || alert.status === "ok") byKey.delete(key);
      else byKey.set(key, alert);
    }
    pending = [];
    alerts = [...byKey.values()].sort(byUrgency);
    attention = alerts.filter((a) => a.attention);

    const next = new Map<string, Severity>();
    for (const alert of alerts) {
      if (alert.status !== "firing") continue;
      const current = next.get(alert.topic);
      if (current === undefined || SEVERITY_RANK[alert.severity] > SEVERITY_RANK[current]) next.set(alert.topic, alert.severity);
    }
    const changedTopics = new Set<string>();
    for (const topic of new Set([...severities.keys(), ...next.keys()])) {
      if (severities.get(topic) !== next.get(topic)) changedTopics.add(topic);
    }
    severities.clear();
    for (const [topic, severity] of next) severities.set(topic, severity);

    for (const listener of listeners) listener();
    for (const topic of changedTopics) for (const listener of topicListeners.get(topic) ?? []) listener();
  }

  return {
    ingest,
    seed,
    generation: () => ingested,
    replace,
    flush,
    getAlerts: () => alerts,
    getAttention: () => attention,
    getTopicSeverity: (topic) => severities.get(topic) ?? null,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    subscribeTopic(topic, listener) {
      let set = topicListeners.get(topic);
      if (!set) topicListeners.set(topic, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && topicListeners.get(topic) === set) topicListeners.delete(topic);
      };
    },
    onNotify(listener) {
      notifyListeners.add(listener);
      return () => void notifyListeners.delete(listener);
    },
  };
}
