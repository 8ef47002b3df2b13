// The life of one toggle command, as a pure reducer (issue 5): click → publish →
// "pending" (never the new state) → the device's own state message confirms it.
// No confirmation by the deadline: back to the last confirmed state, with a notice
// the UI shows as a toast. The component owns the timer and the MQTT publish; this
// module owns every decision, so each case is a row in command.test.ts.
// The confirmed state itself is the live store's (the device's own word), read by
// the toggle: this reducer holds only the wait and its notices (issue 15).

export type OnOff = "ON" | "OFF";

export type Pending = {
  readonly target: OnOff;
  readonly sentAt: number;
  /** Epoch ms after which the command counts as unanswered. */
  readonly deadline: number;
};

export type NoticeKind = "timeout" | "offline" | "send-failed";

export type Notice = {
  /** Increments per notice, so the UI shows each one once. */
  readonly seq: number;
  readonly kind: NoticeKind;
  readonly detail?: string;
};

export type CommandState = {
  /** What an optimistic device (no state topic) was last told: the only state it has. */
  readonly sent: OnOff | null;
  readonly pending: Pending | null;
  readonly notice: Notice | null;
};

export type CommandEvent =
  /** The device's state topic said this (null: a payload that is neither on nor off). */
  | { type: "state"; value: OnOff | null }
  /** The user asked for `target`; `optimistic` devices have no state topic to confirm with. */
  | { type: "send"; target: OnOff; now: number; timeoutMs: number; optimistic?: boolean }
  /** The publish itself failed (not connected, refused by the broker). */
  | { type: "send-failed"; message: string }
  /** A timer fired; only a deadline that has passed counts (a stale timer is harmless). */
  | { type: "tick"; now: number }
  | { type: "offline" };

export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

export const initialCommandState = (): CommandState => ({ sent: null, pending: null, notice: null });

/** The other state: what a click asks for. Unknown state asks for ON. */
export function nextTarget(confirmed: OnOff | null): OnOff {
  return confirmed === "ON" ? "OFF" : "ON";
}

function withNotice(state: CommandState, kind: NoticeKind, detail?: string): CommandState {
  const seq = (state.notice?.seq ?? 0) + 1;
  return { ...state, pending: null, notice: detail === undefined ? { seq, kind } : { seq, kind, detail } };
}

export function commandReducer(state: CommandState, event: CommandEvent): CommandState {
  switch (event.type) {
    case "state":
      // The device's word is the truth, whoever caused it (this page, a wall switch,
      // another dashboard). It ends our wait only when it is what we asked for: a
      // device may repeat its old state before it acts on the command.
      return state.pending && state.pending.target === event.value ? { ...state, pending: null } : state;
    case "send": {
      if (state.pending) return state; // one command at a time; the toggle is disabled meanwhile
      if (event.optimistic) return { ...state, sent: event.target };
      return {
        ...state,
        pending: { target: event.target, sentAt: event.now, deadline: event.now + event.timeoutMs },
      };
    }
    case "send-failed":
      return state.pending ? withNotice(state, "send-failed", event.message) : state;
    case "tick":
      return state.pending && event.now >= state.pending.deadline ? withNotice(state, "timeout") : state;
    case "offline":
      // An offline device will not answer: stop waiting now rather than at the deadline.
      return state.pending ? withNotice(state, "offline") : state;
  }
}
