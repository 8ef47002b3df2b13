// Slows password guessing: after a few failures for one username or from one
// address, further attempts are refused until a lockout passes, and each lockout
// is twice the last. Pure, with the clock passed in; the hub holds one in memory.
//
// An attempt is reserved *before* its password is hashed (begin) and settled after
// (end): scrypt takes tens of milliseconds on the thread pool, and a throttle that only
// counted answered failures let every guess sent at once pass its check (review 8, F2:
// 50 parallel MQTT CONNECTs, 50 passwords checked). Attempts in flight count against
// the allowance as if they had failed. An attempt past the allowance only because others
// are still being checked waits for them (reserve), rather than being refused: a hub
// restart reconnects every device at once, and eight sensors sharing one account must
// not be told "too many failed logins" with the right password (review 9, F1).
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

/** How long reserve() waits for attempts in flight to settle, and how many attempts may wait at once. */
export const RESERVE_WAIT_MS = 10_000;
export const MAX_WAITING = 200;

/** How an attempt ended: a wrong password counts; "abandoned" (the store failed) does not. */
export type AttemptOutcome = "failed" | "succeeded" | "abandoned";

type Entry = { failures: number; lockedUntil: number; lastFailure: number; inFlight: number[] };

export type LoginThrottle = {
  /**
   * Reserves an attempt on every key and answers 0, or reserves nothing and answers how
   * many ms to wait. Every 0 must be followed by one end() with the same keys.
   */
  begin(keys: string[], now?: number): number;
  /**
   * begin(), but an attempt held back only by attempts still in flight (no lockout, no
   * failures that would refuse it) waits for them to settle, up to RESERVE_WAIT_MS, then
   * asks again. Answers as begin() does.
   */
  reserve(keys: string[]): Promise<number>;
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
  /** ms until one more attempt may start on `key` (0: now), and whether only attempts in flight hold it back. */
  const waitFor = (key: string, now: number): { ms: number; inFlightOnly: boolean } => {
    const e = live(key, now);
    if (!e) return { ms: 0, inFlightOnly: false };
    if (e.lockedUntil > now) return { ms: e.lockedUntil - now, inFlightOnly: false };
    const options = optionsFor(key);
    // Before the first lockout the free attempts left; after one, a single attempt per lockout.
    const allowance = e.failures < options.freeAttempts ? options.freeAttempts - e.failures : 1;
    return e.inFlight.length < allowance ? { ms: 0, inFlightOnly: false } : { ms: options.firstLockoutMs, inFlightOnly: true };
  };
  /** Woken at every end(): an attempt waiting in reserve() asks again. */
  let waiting: (() => void)[] = [];
  const tryBegin = (keys: string[], now: number): { ms: number; inFlightOnly: boolean } => {
    const waits = keys.map((key) => waitFor(key, now));
    const ms = Math.max(0, ...waits.map((w) => w.ms));
    if (ms > 0) return { ms, inFlightOnly: waits.every((w) => w.ms === 0 || w.inFlightOnly) };
    forgetOld(now);
    for (const key of keys) {
      const e = entries.get(key) ?? { failures: 0, lockedUntil: 0, lastFailure: now, inFlight: [] };
      e.inFlight.push(now);
      entries.set(key, e);
    }
    return { ms: 0, inFlightOnly: false };
  };
  const throttle: LoginThrottle = {
    begin(keys, now = Date.now()) {
      return tryBegin(keys, now).ms;
    },
    async reserve(keys) {
      const deadline = Date.now() + RESERVE_WAIT_MS;
      for (;;) {
        const now = Date.now();
        const { ms, inFlightOnly } = tryBegin(keys, now);
        if (ms === 0 || !inFlightOnly || now >= deadline || waiting.length >= MAX_WAITING) return ms;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - now);
          waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
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
      const wake = waiting;
      waiting = [];
      for (const ask of wake) ask();
    },
  };
  return throttle;
}
