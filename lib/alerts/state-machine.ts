// One (rule, topic) alert as a pure function of its inputs: ok → pending → firing
// → resolved. No timers, no I/O: the engine feeds it readings, availability and
// clock ticks (at the deadline `nextDeadline` names) and persists what it returns.
import type { Rule } from "./rule";

export type AlertStatus = "ok" | "pending" | "firing" | "resolved";
export type AlertReason = "threshold" | "silent" | "offline";

export type AlertState = {
  readonly status: AlertStatus;
  /** When `status` was entered (epoch ms). */
  readonly since: number;
  /** The last reading's value (threshold rules). */
  readonly value: number | null;
  /** When the topic last spoke (silence rules); null for availability topics, which only speak on change. */
  readonly lastSeen: number | null;
  /** Why it is (or last was) firing. */
  readonly reason: AlertReason | null;
  readonly firedAt: number | null;
  /** Acknowledged during this firing; cleared when it resolves. */
  readonly acknowledgedAt: number | null;
  /** Quiet (no banner, no notification) until then; survives a resolve, since it is about the topic. */
  readonly snoozedUntil: number | null;
  /** When this firing was notified; null when the rule's rate limit or a snooze kept it quiet. */
  readonly notifiedAt: number | null;
};

export type AlertInput =
  | { readonly type: "reading"; readonly value: number }
  /** Any other message on a watched topic: a sign of life for silence rules. */
  | { readonly type: "message" }
  | { readonly type: "availability"; readonly online: boolean }
  /** The clock reached a deadline (or any later time). */
  | { readonly type: "tick" }
  | { readonly type: "ack" }
  | { readonly type: "snooze"; readonly until: number };

export type AlertEventKind = "fired" | "resolved" | "acknowledged" | "snoozed" | "snooze-ended";

export type AlertEvent = {
  readonly kind: AlertEventKind;
  readonly at: number;
  readonly value: number | null;
  readonly reason: AlertReason | null;
};

export type StepResult = { readonly state: AlertState; readonly events: readonly AlertEvent[] };

export function initialState(now: number): AlertState {
  return {
    status: "ok",
    since: now,
    value: null,
    lastSeen: null,
    reason: null,
    firedAt: null,
    acknowledgedAt: null,
    snoozedUntil: null,
    notifiedAt: null,
  };
}

/** Firing, not acknowledged, not snoozed: what the banner shows and notifications are for. */
export function needsAttention(state: AlertState): boolean {
  return state.status === "firing" && state.acknowledgedAt === null && state.snoozedUntil === null;
}

/** The next time a tick could change this alert, or null when only an input can. */
export function nextDeadline(state: AlertState, rule: Rule): number | null {
  const deadlines: number[] = [];
  if (state.snoozedUntil !== null) deadlines.push(state.snoozedUntil);
  if (rule.kind === "threshold" && state.status === "pending") deadlines.push(state.since + rule.forSeconds * 1000);
  if (rule.kind === "silence" && state.status !== "firing" && state.lastSeen !== null) {
    deadlines.push(state.lastSeen + rule.silentForSeconds * 1000);
  }
  return deadlines.length === 0 ? null : Math.min(...deadlines);
}

/**
 * The per-rule notification rate limit: a firing is notified unless it is snoozed
 * or the rule notified less than `notifyIntervalSeconds` ago (any of its topics).
 */
export function shouldNotify(state: AlertState, rule: Rule, lastNotifiedAt: number | null, now: number): boolean {
  if (state.snoozedUntil !== null) return false;
  return lastNotifiedAt === null || now - lastNotifiedAt >= rule.notifyIntervalSeconds * 1000;
}

const unchanged = (state: AlertState): StepResult => ({ state, events: [] });

function fire(state: AlertState, reason: AlertReason, now: number): StepResult {
  const next: AlertState = { ...state, status: "firing", since: now, reason, firedAt: now, acknowledgedAt: null, notifiedAt: null };
  return { state: next, events: [{ kind: "fired", at: now, value: next.value, reason }] };
}

function resolve(state: AlertState, now: number): StepResult {
  const next: AlertState = { ...state, status: "resolved", since: now, acknowledgedAt: null };
  return { state: next, events: [{ kind: "resolved", at: now, value: next.value, reason: state.reason }] };
}

/** A snooze that has run out ends; the caller goes on from the returned result. */
function endSnooze(state: AlertState, now: number): StepResult {
  if (state.snoozedUntil === null || now < state.snoozedUntil) return unchanged(state);
  return {
    state: { ...state, snoozedUntil: null },
    events: [{ kind: "snooze-ended", at: now, value: state.value, reason: state.reason }],
  };
}

function then(first: StepResult, second: (state: AlertState) => StepResult): StepResult {
  const next = second(first.state);
  return next.events.length === 0 && next.state === first.state
    ? first
    : { state: next.state, events: [...first.events, ...next.events] };
}

export function step(state: AlertState, input: AlertInput, rule: Rule, now: number): StepResult {
  const afterSnooze = endSnooze(state, now);
  return then(afterSnooze, (s) => apply(s, input, rule, now));
}

function apply(state: AlertState, input: AlertInput, rule: Rule, now: number): StepResult {
  switch (input.type) {
    case "ack":
      if (state.status !== "firing" || state.acknowledgedAt !== null) return unchanged(state);
      return {
        state: { ...state, acknowledgedAt: now },
        events: [{ kind: "acknowledged", at: now, value: state.value, reason: state.reason }],
      };
    case "snooze":
      if (input.until <= now) return unchanged(state);
      return {
        state: { ...state, snoozedUntil: input.until },
        events: [{ kind: "snoozed", at: now, value: state.value, reason: state.reason }],
      };
    default:
      return rule.kind === "threshold" ? threshold(state, input, rule, now) : silence(state, input, rule, now);
  }
}

function threshold(state: AlertState, input: AlertInput, rule: Extract<Rule, { kind: "threshold" }>, now: number): StepResult {
  const holdMs = rule.forSeconds * 1000;
  if (input.type === "tick") {
    // The last reading was past the threshold and nothing has contradicted it since.
    if (state.status === "pending" && now - state.since >= holdMs) return fire(state, "threshold", now);
    return unchanged(state);
  }
  if (input.type !== "reading") return unchanged(state);
  const value = input.value;
  const s: AlertState = { ...state, value };
  const past = rule.direction === "above" ? value > rule.threshold : value < rule.threshold;
  const cleared = rule.direction === "above" ? value < rule.clear : value > rule.clear;
  switch (s.status) {
    case "ok":
    case "resolved":
      if (!past) return { state: s, events: [] };
      if (holdMs === 0) return fire(s, "threshold", now);
      return { state: { ...s, status: "pending", since: now }, events: [] };
    case "pending":
      // A spike shorter than the hold: back to ok, nothing fired, nothing recorded.
      if (!past) return { state: { ...s, status: "ok", since: now }, events: [] };
      if (now - s.since >= holdMs) return fire(s, "threshold", now);
      return { state: s, events: [] };
    case "firing":
      // Inside the hysteresis band a firing alert stays firing: this is what stops the flapping.
      return cleared ? resolve(s, now) : { state: s, events: [] };
  }
}

function silence(state: AlertState, input: AlertInput, rule: Extract<Rule, { kind: "silence" }>, now: number): StepResult {
  switch (input.type) {
    case "tick": {
      if (state.status === "firing" || state.lastSeen === null) return unchanged(state);
      if (now - state.lastSeen >= rule.silentForSeconds * 1000) return fire(state, "silent", now);
      return unchanged(state);
    }
    case "reading":
    case "message": {
      const s: AlertState = { ...state, lastSeen: now, value: input.type === "reading" ? input.value : state.value };
      return s.status === "firing" && s.reason === "silent" ? resolve(s, now) : { state: s, events: [] };
    }
    case "availability": {
      if (!input.online) return state.status === "firing" ? unchanged(state) : fire(state, "offline", now);
      return state.status === "firing" && state.reason === "offline" ? resolve(state, now) : unchanged(state);
    }
    default:
      return unchanged(state);
  }
}
