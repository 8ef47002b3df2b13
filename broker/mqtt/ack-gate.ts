// "Acknowledged means stored" (issue 12): a PUBACK / PUBREC / PUBCOMP waits for the
// store commit that holds the message's effects and for the onPublished hooks'
// promises (the recorder's history row), and a connection's acknowledgements leave in
// the order their packets arrived [MQTT-4.6.0-2..4]. Everything that needs a commit in
// one turn of the event loop shares one store.commit() (group commit).
//
// A message whose inbound id is kept (QoS 2; QoS 1 of a persistent session) has a last
// step (`settle`), run once its effects have committed or failed, even when its
// connection has closed meanwhile: stored, a QoS 1 id is dropped just before the PUBACK
// goes out, since after a PUBACK the same id is a NEW message [MQTT-4.3.2-2] (v5
// [MQTT-4.3.2-5]); failed, the id goes, so the resend is taken for new, not for stored.
// A resend (DUP) that arrives meanwhile waits on the first copy's `outcome` (review-5 #3).
// An effect may join the commit instead of adding a promise, and report a failure in the
// message's slot (lib/ack-slot.ts), read here once nothing else is outstanding.
//
// The one exception to "acknowledged means stored", as in upstream mode (upstream-acks.ts,
// review-7 F3): a message whose only failures were refusals for good (hooks.ts
// refusedForGood: the history database refused the reading for its own data) is
// acknowledged to a 3.1.1 client. 3.1.1 has no negative acknowledgement, and closing the
// connection made the device send the same message again on every reconnect, for ever;
// no resend could store it. MQTT 5 clients hear 0x80 and stop. A failure a resend could
// mend (a full backlog, a failed commit) still fails the message.
import type { AckSlot } from "../../lib/ack-slot";
import { deferred, type Deferred } from "../../lib/deferred";
import type { Logger } from "../../lib/log";
import { createLogPace } from "../log-pace";
import type { BrokerStore } from "./store";

/** Effect failures, and messages acknowledged though refused, are logged at once, then at most one line with their count per this window. */
const EFFECT_FAILURE_LOG_WINDOW_MS = 10_000;

/** Whether an effect's failure is for good: no resend of the message could store it (hooks.ts refusedForGood). */
export type RefusedForGood = (error: Error) => boolean;

export type AckKind = "puback" | "pubrec" | "pubcomp";

export type PendingAck = {
  readonly owner: AckQueue;
  readonly kind: AckKind;
  readonly packetId: number;
  reasonCode: number;
  /** Commit + hook promises still outstanding. */
  waiting: number;
  /** The store or a hook failed: the message was not stored. */
  failed: boolean;
  /** Failed, and every failure was a refusal for good (RefusedForGood): the last of them. */
  refusal: Error | null;
  /** Sending it frees a slot of the client's Receive Maximum quota. */
  readonly releasesQuota: boolean;
  /** Runs once its effects have committed (true) or failed (false), before it goes out, also on a closed connection. */
  settle: Settle | null;
  /** Settles with it, for a resend waiting on this copy (AckGate.outcome); made on demand. */
  outcome: Deferred | null;
  /** Where effects that joined the commit report a failure (lib/ack-slot.ts); read once nothing is outstanding. */
  readonly slot: AckSlot | null;
};

export type Settle = (stored: boolean) => void;

/** The side of a connection the gate hands ready acknowledgements to. */
export type AckQueue = {
  readonly acks: PendingAck[];
  readonly clientId: string;
  readonly protocolVersion: 3 | 4 | 5;
  flushAcks(): void;
  isClosed(): boolean;
};

export class AckGate {
  private batch: PendingAck[] = [];
  private scheduled = false;
  /** Messages whose effects failed (not acknowledged as stored), for the log line's count. */
  private effectFailures = 0;
  // A burst the history store cannot take fails thousands of readings in a second, and a
  // line each buried every other line of the log (log-pace.ts).
  private readonly effectFailureLog = createLogPace(EFFECT_FAILURE_LOG_WINDOW_MS);
  /** Messages refused for good and acknowledged all the same (3.1.1), for the log line's count. */
  private refusedAcknowledged = 0;
  private readonly refusedLog = createLogPace(EFFECT_FAILURE_LOG_WINDOW_MS);

  constructor(
    private readonly store: BrokerStore,
    private readonly log: Logger,
    private readonly isRefusedForGood: RefusedForGood = () => false,
  ) {}

  add(
    queue: AckQueue,
    kind: AckKind,
    packetId: number,
    reasonCode: number,
    releasesQuota: boolean,
    promises: Promise<void>[] | null,
    settle: Settle | null = null,
    slot: AckSlot | null = null,
  ): PendingAck {
    const ack: PendingAck = { owner: queue, kind, packetId, reasonCode, waiting: 1, failed: false, refusal: null, releasesQuota, settle, outcome: null, slot };
    queue.acks.push(ack);
    this.batch.push(ack);
    if (promises !== null) {
      ack.waiting += promises.length;
      for (const promise of promises) {
        promise.then(
          () => this.release(ack),
          (error: Error) => {
            this.effectFailed(ack, error);
            this.release(ack);
          },
        );
      }
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.commit);
    }
    return ack;
  }

  /** Resolves when `ack`'s effects have committed, rejects if they failed: what a resend of its message waits on. */
  outcome(ack: PendingAck): Promise<void> {
    if (ack.waiting === 0) return ack.failed ? Promise.reject(new Error("the first copy was not stored")) : Promise.resolve();
    ack.outcome ??= deferred();
    return ack.outcome.promise;
  }

  private readonly commit = () => {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    this.store.commit().then(
      () => {
        for (const ack of batch) this.release(ack);
      },
      // Only for what no retry will store: the store stopped, a refused change, a full backlog (write-group.ts).
      (error: Error & { code?: string }) => {
        this.log.error("broker store commit failed", { code: "store-commit-failed", cause: error?.code, error: error?.message });
        for (const ack of batch) {
          ack.failed = true;
          ack.refusal = null;
          this.release(ack);
        }
      },
    );
  };

  private effectFailed(ack: PendingAck, error: Error): void {
    const forGood = this.isRefusedForGood(error);
    ack.refusal = forGood && (!ack.failed || ack.refusal !== null) ? error : null;
    ack.failed = true;
    // A 3.1.1 client's message refused for good is acknowledged: its line is acknowledgeRefused's.
    if (forGood && ack.owner.protocolVersion !== 5) return;
    this.effectFailures++;
    this.effectFailureLog(1, (messages) =>
      this.log.error("a published message's durable effect failed; not acknowledging it as stored", {
        code: "publish-effect-failed",
        messages,
        failed: this.effectFailures,
        error: error?.message,
      }),
    );
  }

  /** A 3.1.1 client's message refused for good: acknowledged, as no resend could store it (the header's exception). */
  private acknowledgeRefused(ack: PendingAck, refusal: Error): void {
    ack.failed = false;
    this.refusedAcknowledged++;
    this.refusedLog(1, (messages) =>
      this.log.error("the history database refused a 3.1.1 client's message for its own data; acknowledged all the same, as no resend could store it", {
        code: "history-refused",
        client: ack.owner.clientId,
        messages,
        refused: this.refusedAcknowledged,
        error: refusal.message,
      }),
    );
  }

  private release(ack: PendingAck): void {
    ack.waiting -= 1;
    if (ack.waiting > 0) return;
    // Written before the commit resolved, by an effect that joined it (lib/ack-slot.ts).
    if (ack.slot?.failed) this.effectFailed(ack, ack.slot.failed);
    if (ack.refusal !== null && ack.owner.protocolVersion !== 5) this.acknowledgeRefused(ack, ack.refusal);
    ack.settle?.(!ack.failed);
    ack.settle = null;
    if (ack.failed) ack.outcome?.reject(new Error("the first copy was not stored"));
    else ack.outcome?.resolve();
    if (ack.owner.acks[0] === ack) ack.owner.flushAcks();
  }
}
