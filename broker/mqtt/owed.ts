// The retained messages new subscriptions are owed [MQTT-3.3.1-6] and not yet sent: one
// session's (OwedRetained), and how many all sessions owe together (OwedBudget, review-11 F5).
// A SUBSCRIBE's owed set is a snapshot taken then, so a topic changed afterwards reaches the
// subscriber as the snapshot's copy, then the live ones, in publish order [MQTT-4.6.0-6]
// (review-13 F1: a walk of the live store did not keep it). The snapshot holds the retained
// store's own messages (never changed, only replaced), one reference each: an owed entry
// costs a pointer, and its Delivery is made only when it is the next to go.
import type { QoS } from "mqtt-packet";
import type { Delivery } from "./session";
import type { StoredMessage } from "./store";

/** Entries owed by all sessions of one broker, against a limit (BrokerLimits.maxOwedRetained). */
export class OwedBudget {
  owed = 0;
  constructor(readonly limit: number) {}

  /** Takes up to `n` entries, as many as fit; returns how many. */
  take(n: number): number {
    const taken = Math.max(0, Math.min(n, this.limit - this.owed));
    this.owed += taken;
    return taken;
  }

  give(n: number): void {
    this.owed -= n;
  }
}

/** One SUBSCRIBE's snapshot, sent from `at` on. */
type Run = {
  /** null: no longer owed (a QoS 0 copy when the connection went, or dropped at resume). */
  readonly messages: (StoredMessage | null)[];
  at: number;
  /** messages[i]'s seq is firstSeq + i, reserved at the SUBSCRIBE: the store keeps them in the order owed. */
  readonly firstSeq: number;
  readonly qos: QoS;
  readonly subscriptionIds: number[];
  /** Its QoS 1/2 entries are in the store (saved when a connection went). */
  saved: boolean;
};

const copyQos = (message: StoredMessage, granted: QoS): QoS => (message.qos < granted ? message.qos : granted);

export class OwedRetained {
  private readonly runs: Run[] = [];
  /** The next entry, already made a Delivery (peek); still owed. */
  private head: Delivery | null = null;
  private count = 0;
  /**
   * How many of `count` the budget no longer counts: a session whose connection went keeps
   * what it is owed (in the store too), but cannot hold the broker's budget for ever — a
   * 3.1.1 persistent session never expires, and every later subscriber would get nothing
   * (review-15 M2). Per session it stays bounded (MAX_BACKLOG).
   */
  private uncounted = 0;

  constructor(private readonly budget: OwedBudget) {}

  get size(): number {
    return this.count;
  }

  /** A snapshot at `qos` (granted); the caller took messages.length from the budget and reserved their seqs. */
  add(messages: StoredMessage[], firstSeq: number, qos: QoS, subscriptionIds: number[]): void {
    if (messages.length === 0) return;
    this.runs.push({ messages, at: 0, firstSeq, qos, subscriptionIds, saved: false });
    this.count += messages.length;
  }

  /** The next entry, not removed. */
  peek(): Delivery | undefined {
    if (this.head === null && this.count > 0) this.head = this.advance();
    return this.head ?? undefined;
  }

  /** The next entry, removed: no longer counted against the budget. */
  take(): Delivery | undefined {
    const next = this.peek();
    if (next === undefined) return undefined;
    this.head = null;
    this.release(1);
    return next;
  }

  /** Puts back what take gave (it could not be sent yet). */
  putBack(delivery: Delivery): void {
    this.head = delivery;
    this.count++;
    this.budget.owed++;
  }

  /**
   * The connection went: QoS 0 entries are no longer owed (QoS 0 is not kept for a
   * disconnected session); `save` gets each QoS 1/2 one not in the store yet.
   */
  park(save: (d: Delivery) => void): void {
    if (this.head !== null) {
      if (this.head.qos === 0) {
        this.head = null;
        this.release(1);
      } else save(this.head);
    }
    for (const run of this.runs) {
      for (let i = run.at; i < run.messages.length; i++) {
        const message = run.messages[i];
        if (message === null) continue;
        const qos = copyQos(message, run.qos);
        if (qos === 0) this.drop(run, i);
        else if (!run.saved) save(this.delivery(run, i, message, qos));
      }
      run.saved = true;
    }
    this.budget.give(this.count - this.uncounted);
    this.uncounted = this.count;
  }

  /** Removes the entries `drop` picks; returns them. */
  dropWhere(drop: (d: Delivery) => boolean): Delivery[] {
    const removed: Delivery[] = [];
    if (this.head !== null && drop(this.head)) {
      removed.push(this.head);
      this.head = null;
      this.release(1);
    }
    for (const run of this.runs) {
      for (let i = run.at; i < run.messages.length; i++) {
        const message = run.messages[i];
        if (message === null) continue;
        const d = this.delivery(run, i, message, copyQos(message, run.qos));
        if (!drop(d)) continue;
        removed.push(d);
        this.drop(run, i);
      }
    }
    return removed;
  }

  /** Nothing is owed any more (the session ended). */
  clear(): void {
    this.head = null;
    this.release(this.count);
  }

  private drop(run: Run, i: number): void {
    run.messages[i] = null;
    this.release(1);
  }

  private release(n: number): void {
    const uncounted = Math.min(n, this.uncounted);
    this.uncounted -= uncounted;
    this.count -= n;
    this.budget.give(n - uncounted);
    if (this.count === 0) this.runs.length = 0;
  }

  /** The first entry still owed, removed from its run (count > 0, head empty). */
  private advance(): Delivery {
    for (;;) {
      const run = this.runs[0];
      if (run.at === run.messages.length) {
        this.runs.shift();
        continue;
      }
      const i = run.at++;
      const message = run.messages[i];
      if (message !== null) return this.delivery(run, i, message, copyQos(message, run.qos));
    }
  }

  private delivery(run: Run, i: number, message: StoredMessage, qos: QoS): Delivery {
    return { seq: qos === 0 ? 0 : run.firstSeq + i, message, qos, packetId: null, state: "queued", subscriptionIds: run.subscriptionIds };
  }
}
