// The alert engine: runs in the hub, so alerts fire with no browser open. It feeds
// every message under home/ to the pure state machine of each (rule, topic) pair
// the rule's filter matches, persists the result before the next message, and
// publishes each alert's state retained on `hearth/alerts/<rule-id>/<topic-key>`.
// Durations and silence are ticks at the deadline the state machine names, from an
// injectable clock, so tests drive time without sleeping.
import { createLogger, type Logger } from "../lib/log";
import { topicMatches } from "../lib/topics";
import { toAlertInput } from "../lib/alerts/message-input";
import { ruleIdFromName, type Rule, type RuleInput } from "../lib/alerts/rule";
import type { AlertResult, AlertService, RuleTest } from "../lib/alerts/service";
import { initialState, nextDeadline, shouldNotify, step, type AlertInput, type AlertState } from "../lib/alerts/state-machine";
import type { AlertStore, NewHistoryEntry } from "../lib/alerts/store";
import { alertTopic } from "../lib/alerts/topic-key";
import { byUrgency, toAlertView, type AlertView } from "../lib/alerts/view";
import type { ParseResult } from "../lib/readings";
import type { Bus, BusMessage } from "./bus";

export type Clock = {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export const systemClock: Clock = {
  now: Date.now,
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type AlertEngineOptions = {
  clock?: Clock;
  log?: Logger;
  /** Rules from the config file: inserted when their id is new, never over an admin's edit. */
  seedRules?: readonly Rule[];
  /**
   * The reading a rule judges: the one history keeps and the chart shows for the topic (the
   * device registry's readingOf: a converting sensor's, `home/garage/power` "1500" W read as
   * 1.5 kW), so "power above 2" means 2 kW. The message's own reading by default.
   */
  readingOf?: (message: BusMessage) => ParseResult | null;
};

export type AlertEngine = AlertService & {
  /** Resolves once every alert state published so far has reached the broker. */
  published(): Promise<void>;
  stop(): Promise<void>;
};

type Tracked = { ruleId: string; topic: string; state: AlertState; persistedAt: number };

/** Value-only changes (a new reading inside the band) are written at most this often. */
const PERSIST_VALUES_EVERY_MS = 30_000;
/** Timers longer than this are re-armed: setTimeout overflows past 2^31 ms. */
const MAX_TIMER_MS = 60 * 60 * 1000;
/** Topics whose last message is remembered for new rules and dry runs; a device spraying topics cannot grow it further. */
const MAX_REMEMBERED_TOPICS = 10_000;

const keyOf = (ruleId: string, topic: string) => `${ruleId}\u0000${topic}`;

/** Anything a subscriber would see differently: worth persisting and publishing at once. */
function visiblyChanged(a: AlertState, b: AlertState): boolean {
  return (
    a.status !== b.status ||
    a.reason !== b.reason ||
    a.acknowledgedAt !== b.acknowledgedAt ||
    a.snoozedUntil !== b.snoozedUntil ||
    a.notifiedAt !== b.notifiedAt
  );
}

export async function startAlertEngine(bus: Bus, store: AlertStore, opts: AlertEngineOptions = {}): Promise<AlertEngine> {
  const { clock = systemClock, log = createLogger("alerts"), readingOf } = opts;
  const rules = new Map<string, Rule>();
  const tracked = new Map<string, Tracked>();
  const lastNotified = new Map<string, number>();
  const lastInputs = new Map<string, AlertInput>();
  let timer: unknown = null;
  let publishing: Promise<void> = Promise.resolve();
  let stopped = false;

  for (const rule of opts.seedRules ?? []) {
    if (store.insertRuleIfAbsent(rule)) log.info("seeded rule from the config file", { rule: rule.id });
  }
  for (const rule of store.listRules()) rules.set(rule.id, rule);

  /** Publishes in order: two states of one alert must not overtake each other. */
  function publish(topic: string, payload: string): void {
    publishing = publishing
      .then(() => bus.publish(topic, payload, { qos: 1, retain: true }))
      .catch((error) => log.error("could not publish alert state", { topic, error: (error as Error).message }));
  }

  function publishState(rule: Rule, entry: Tracked): void {
    publish(alertTopic(rule.id, entry.topic), JSON.stringify(toAlertView(rule, entry.topic, entry.state)));
  }

  function historyEntry(rule: Rule, topic: string, state: AlertState, e: { kind: NewHistoryEntry["kind"]; at: number; value: number | null; reason: NewHistoryEntry["reason"] }): NewHistoryEntry {
    const notified = e.kind === "fired" ? state.notifiedAt === e.at : null;
    return { ruleId: rule.id, ruleName: rule.name, severity: rule.severity, topic, kind: e.kind, at: e.at, value: e.value, reason: e.reason, notified };
  }

  /**
   * A failing write (a full disk) is logged, not thrown: the state in memory is still
   * right and is still published, and the next change writes it again.
   */
  function persist(what: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      log.error(`could not store ${what}`, { error: (error as Error).message });
    }
  }

  /** One input to one (rule, topic) alert: step, rate-limit, persist, publish, record. Returns the events' kinds. */
  function apply(rule: Rule, topic: string, input: AlertInput): string[] {
    const now = clock.now();
    const key = keyOf(rule.id, topic);
    const entry = tracked.get(key) ?? { ruleId: rule.id, topic, state: initialState(now), persistedAt: 0 };
    const before = entry.state;
    const result = step(before, input, rule, now);
    let state = result.state;
    if (result.events.some((e) => e.kind === "fired") && shouldNotify(state, rule, lastNotified.get(rule.id) ?? null, now)) {
      state = { ...state, notifiedAt: now };
      lastNotified.set(rule.id, now);
    }
    if (state === before) return [];
    entry.state = state;
    tracked.set(key, entry);
    const visible = visiblyChanged(before, state);
    if (visible || now - entry.persistedAt >= PERSIST_VALUES_EVERY_MS) {
      persist("an alert state", () => store.putAlert(entry));
      entry.persistedAt = now;
    }
    if (visible) publishState(rule, entry);
    if (result.events.length > 0) {
      persist("alert history", () => store.appendHistory(result.events.map((e) => historyEntry(rule, topic, state, e))));
      for (const e of result.events) {
        const fields = { rule: rule.id, topic, value: e.value ?? undefined, reason: e.reason ?? undefined };
        if (e.kind === "fired") log.warn(`alert fired (${rule.severity})`, { ...fields, notified: state.notifiedAt === now });
        else log.info(`alert ${e.kind}`, fields);
      }
    }
    return result.events.map((e) => e.kind);
  }

  function schedule(): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (stopped) return;
    let earliest = Infinity;
    for (const entry of tracked.values()) {
      const rule = rules.get(entry.ruleId);
      if (!rule?.enabled) continue;
      earliest = Math.min(earliest, nextDeadline(entry.state, rule) ?? Infinity);
    }
    if (earliest === Infinity) return;
    timer = clock.setTimeout(onTimer, Math.min(Math.max(0, earliest - clock.now()), MAX_TIMER_MS));
  }

  function onTimer(): void {
    timer = null;
    const now = clock.now();
    for (const entry of [...tracked.values()]) {
      const rule = rules.get(entry.ruleId);
      const deadline = rule?.enabled ? nextDeadline(entry.state, rule) : null;
      if (rule && deadline !== null && deadline <= now) apply(rule, entry.topic, { type: "tick" });
    }
    schedule();
  }

  function onMessage(message: BusMessage): void {
    if (stopped) return;
    const input = toAlertInput(message, readingOf);
    if (input === null) return;
    if (!lastInputs.has(message.topic) && lastInputs.size >= MAX_REMEMBERED_TOPICS) {
      lastInputs.delete(lastInputs.keys().next().value!);
    }
    lastInputs.set(message.topic, input);
    // A retained copy handed over as the engine subscribes (the local bus at start, the upstream
    // broker on subscribe) is what the topic last said, not news: the alerts keep the states
    // they restored. Run through the rules, it resolved a firing silence alert at every
    // restart and lost its acknowledgement, then fired and notified again (review-11 F1).
    if (message.replayed === true) return;
    for (const rule of rules.values()) {
      if (rule.enabled && topicMatches(rule.filter, message.topic)) apply(rule, message.topic, input);
    }
    schedule();
  }

  /** A rule's alerts end (edit, disable, delete): firing ones are recorded as resolved, retained states cleared. */
  function dropAlerts(rule: Rule): void {
    const now = clock.now();
    const ended: NewHistoryEntry[] = [];
    for (const [key, entry] of tracked) {
      if (entry.ruleId !== rule.id) continue;
      if (entry.state.status === "firing") {
        ended.push(historyEntry(rule, entry.topic, entry.state, { kind: "resolved", at: now, value: entry.state.value, reason: entry.state.reason }));
      }
      publish(alertTopic(rule.id, entry.topic), "");
      tracked.delete(key);
    }
    store.deleteAlerts(rule.id);
    store.appendHistory(ended);
  }

  /** A new or edited rule looks at what every matching topic last said, so "above 26" fires now if it is 27 now. */
  function evaluateKnown(rule: Rule): void {
    if (!rule.enabled) return;
    for (const [topic, input] of lastInputs) {
      if (topicMatches(rule.filter, topic)) apply(rule, topic, input);
    }
    schedule();
  }

  // Restore: every stored state is published anew, so the retained copies match the
  // alert store even when the broker's state was lost or the broker is an external one.
  const startedAt = clock.now();
  for (const stored of store.listAlerts()) {
    const rule = rules.get(stored.ruleId);
    if (!rule) continue;
    let state = stored.state;
    // The hub cannot know whether a topic spoke while it was down: silence counts from the start.
    if (rule.kind === "silence" && state.lastSeen !== null && state.status !== "firing") {
      state = { ...state, lastSeen: Math.max(state.lastSeen, startedAt) };
    }
    const entry: Tracked = { ruleId: stored.ruleId, topic: stored.topic, state, persistedAt: startedAt };
    tracked.set(keyOf(stored.ruleId, stored.topic), entry);
    // What the topic last said, so an edited rule and a dry run have a value to look at before the next reading.
    if (state.value !== null && !lastInputs.has(stored.topic)) lastInputs.set(stored.topic, { type: "reading", value: state.value });
    if (state.notifiedAt !== null) lastNotified.set(rule.id, Math.max(lastNotified.get(rule.id) ?? 0, state.notifiedAt));
    if (state.status !== "ok") publishState(rule, entry);
  }
  const unsubscribe = await bus.subscribe("home/#", onMessage);
  onTimer(); // deadlines that passed while the hub was down
  log.info("started", { rules: rules.size, alerts: tracked.size });

  const notFound = (what: "rule" | "alert", id: string): AlertResult<never> => ({
    ok: false,
    code: what === "rule" ? "rule-not-found" : "alert-not-found",
    message: `no ${what} ${JSON.stringify(id)}`,
  });

  function alertAction(ruleId: string, topic: string, input: AlertInput, expected: string): AlertResult<AlertView> {
    const rule = rules.get(ruleId);
    const entry = tracked.get(keyOf(ruleId, topic));
    if (!rule || !entry) return notFound("alert", `${ruleId} ${topic}`);
    const kinds = apply(rule, topic, input);
    schedule();
    if (!kinds.includes(expected)) {
      return input.type === "ack"
        ? { ok: false, code: "not-firing", message: "only a firing, unacknowledged alert can be acknowledged" }
        : { ok: false, code: "bad-snooze", message: "a snooze must end in the future" };
    }
    return { ok: true, value: toAlertView(rule, topic, entry.state) };
  }

  return {
    rules: () => [...rules.values()],
    async createRule(input: RuleInput) {
      if (input.id !== undefined && rules.has(input.id)) {
        return { ok: false, code: "rule-id-taken", message: `a rule with id ${JSON.stringify(input.id)} exists` };
      }
      const rule: Rule = { ...input, id: input.id ?? ruleIdFromName(input.name, (id) => rules.has(id)) };
      store.putRule(rule);
      rules.set(rule.id, rule);
      log.info("rule created", { rule: rule.id });
      evaluateKnown(rule);
      return { ok: true, value: rule };
    },
    async updateRule(id, input) {
      const old = rules.get(id);
      if (!old) return notFound("rule", id);
      const rule: Rule = { ...input, id };
      dropAlerts(old);
      store.putRule(rule);
      rules.set(id, rule);
      log.info("rule updated", { rule: id });
      evaluateKnown(rule);
      return { ok: true, value: rule };
    },
    async deleteRule(id) {
      const rule = rules.get(id);
      if (!rule) return notFound("rule", id);
      dropAlerts(rule);
      store.deleteRule(id);
      rules.delete(id);
      log.info("rule deleted", { rule: id });
      schedule();
      return { ok: true, value: null };
    },
    testRule(input: RuleInput): RuleTest {
      const rule: Rule = { ...input, id: input.id ?? "test" };
      const now = clock.now();
      const topics: RuleTest["topics"] = [];
      for (const [topic, last] of lastInputs) {
        if (!topicMatches(rule.filter, topic)) continue;
        const { state } = step(initialState(now), last, rule, now);
        topics.push({ topic, value: state.value, status: state.status });
      }
      return { topics: topics.sort((a, b) => a.topic.localeCompare(b.topic)) };
    },
    alerts() {
      const views: AlertView[] = [];
      for (const entry of tracked.values()) {
        const rule = rules.get(entry.ruleId);
        if (rule && entry.state.status !== "ok") views.push(toAlertView(rule, entry.topic, entry.state));
      }
      return views.sort(byUrgency);
    },
    async acknowledge(ruleId, topic) {
      return alertAction(ruleId, topic, { type: "ack" }, "acknowledged");
    },
    async snooze(ruleId, topic, until) {
      return alertAction(ruleId, topic, { type: "snooze", until }, "snoozed");
    },
    history: (filter) => store.history(filter),
    published: () => publishing,
    async stop() {
      stopped = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      await unsubscribe();
      await publishing;
    },
  };
}
