// Slows password guessing: after a few failures for one username or from one
// address, further attempts are refused until a lockout passes, and each lockout
// is twice the last. Pure, with the clock passed in; the hub holds one in memory.
//
// An attempt is reserved *before* its password is hashed (begin) and settled after
// (end): scrypt takes tens of milliseconds on the thread pool, and a throttle that only
// counted answered failures let every guess sent at once pass its check (review 8, F2:
// 50 parallel MQTT CONNECTs, 50 passwords checked). Attempts in flight count against
// the allowance as if they had failed.
export type ThrottleOptions = { freeAttempts: number; firstLockoutMs: number; maxLockoutMs: number; forgetAfterMs: number };

const PER_USER: ThrottleOptions = { freeAttempts: 5, firstLockoutMs: 30_000, maxLockoutMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
/** One address is a whole household behind its router: more slack, the same brake on a sprayer. */
const PER_ADDRESS: ThrottleOptions = { ...PER_USER, freeAttempts: 20 };

/** Keys are `user:<name>`, `device:<name>` and `address:<ip>`; each kind has its own allowance. */
export const DEFAULT_THROTTLE = (key: string): ThrottleOptions => (key.startsWith("address:") ? PER_ADDRESS : PER_USER);

/**
 * A reservation whose end never came (a web thread that crashed mid-login) stops
 * counting after this long, so it cannot shrink a key's allowance for ever. Longer than
 * any honest check: the broker gives authentication 30 s (core.ts authTimeoutMs).
 */
export const RESERVATION_MS = 60_000;

/** How an attempt ended: a wrong password counts; "abandoned" (the store failed) does not. */
export type AttemptOutcome = "failed" | "succeeded" | "abandoned";

type Entry = { failures: number; lockedUntil: number; lastFailure: number; inFlight: number[] };

export type LoginThrottle = {
  /** 0 when an attempt may go ahead, else how many ms until it may. Reserves nothing. */
  retryAfter(keys: string[], now?: number): number;
  /**
   * Reserves an attempt on every key and answers 0, or reserves nothing and answers how
   * many ms to wait. Every 0 must be followed by one end() with the same keys.
   */
  begin(keys: string[], now?: number): number;
  /**
   * Settles an attempt begin() let through. A failure counts on every key; a success
   * forgets the failures of the first key only (the account's): a sprayer who owns one
   * good account must not clear the address's count with it.
   */
  end(keys: string[], outcome: AttemptOutcome, now?: number): void;
};

export function createLoginThrottle(optionsFor: (key: string) => ThrottleOptions = DEFAULT_THROTTLE): LoginThrottle {
  const entries = new Map<string, Entry>();
  const live = (key: string, now: number): Entry | undefined => {
    const e = entries.get(key);
    if (!e) return undefined;
    e.inFlight = e.inFlight.filter((at) => now - at < RESERVATION_MS);
    if (e.failures > 0 && now - e.lastFailure > optionsFor(key).forgetAfterMs) Object.assign(e, { failures: 0, lockedUntil: 0 });
    if (e.failures === 0 && e.inFlight.length === 0) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  const forgetOld = (now: number) => {
    // Bounded memory under a spray of usernames: old entries go first.
    if (entries.size < 10_000) return;
    for (const key of [...entries.keys()]) live(key, now);
  };
  /** ms until one more attempt may start on `key` (0: now). */
  const waitFor = (key: string, now: number): number => {
    const e = live(key, now);
    if (!e) return 0;
    if (e.lockedUntil > now) return e.lockedUntil - now;
    const options = optionsFor(key);
    // Before the first lockout the free attempts left; after one, a single attempt per lockout.
    const allowance = e.failures < options.freeAttempts ? options.freeAttempts - e.failures : 1;
    return e.inFlight.length < allowance ? 0 : options.firstLockoutMs;
  };
  return {
    retryAfter(keys, now = Date.now()) {
      let wait = 0;
      for (const key of keys) {
        const e = live(key, now);
        if (e) wait = Math.max(wait, e.lockedUntil - now);
      }
      return Math.max(0, wait);
    },
    begin(keys, now = Date.now()) {
      const wait = Math.max(0, ...keys.map((key) => waitFor(key, now)));
      if (wait > 0) return wait;
      forgetOld(now);
      for (const key of keys) {
        const e = entries.get(key) ?? { failures: 0, lockedUntil: 0, lastFailure: now, inFlight: [] };
        e.inFlight.push(now);
        entries.set(key, e);
      }
      return 0;
    },
    end(keys, outcome, now = Date.now()) {
      keys.forEach((key, i) => {
        const e = entries.get(key) ?? { failures: 0, lockedUntil: 0, lastFailure: now, inFlight: [] };
        e.inFlight.shift(); // the oldest reservation: which one does not matter, only how many
        if (outcome === "failed") {
          const options = optionsFor(key);
          if (now - e.lastFailure > options.forgetAfterMs) e.failures = 0;
          e.failures += 1;
          e.lastFailure = now;
          const over = e.failures - options.freeAttempts;
          if (over >= 0) e.lockedUntil = now + Math.min(options.firstLockoutMs * 2 ** over, options.maxLockoutMs);
        } else if (outcome === "succeeded" && i === 0) {
          Object.assign(e, { failures: 0, lockedUntil: 0 });
        }
        entries.set(key, e);
        live(key, now); // drops the entry when nothing is left in it
      });
    },
  };
}
