// Slows password guessing: after a few failures for one username or from one
// address, further attempts are refused until a lockout passes, and each lockout
// is twice the last. Pure, with the clock passed in; the hub holds one in memory.
export type ThrottleOptions = { freeAttempts: number; firstLockoutMs: number; maxLockoutMs: number; forgetAfterMs: number };

const PER_USER: ThrottleOptions = { freeAttempts: 5, firstLockoutMs: 30_000, maxLockoutMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
/** One address is a whole household behind its router: more slack, the same brake on a sprayer. */
const PER_ADDRESS: ThrottleOptions = { ...PER_USER, freeAttempts: 20 };

/** Keys are `user:<name>` and `address:<ip>`; each kind has its own allowance. */
export const DEFAULT_THROTTLE = (key: string): ThrottleOptions => (key.startsWith("address:") ? PER_ADDRESS : PER_USER);

type Entry = { failures: number; lockedUntil: number; lastFailure: number };

export type LoginThrottle = {
  /** 0 when an attempt may go ahead, else how many ms until it may. */
  retryAfter(keys: string[], now?: number): number;
  failed(keys: string[], now?: number): void;
  succeeded(keys: string[]): void;
};

export function createLoginThrottle(optionsFor: (key: string) => ThrottleOptions = DEFAULT_THROTTLE): LoginThrottle {
  const entries = new Map<string, Entry>();
  const forgetOld = (now: number) => {
    // Bounded memory under a spray of usernames: old entries go first.
    if (entries.size < 10_000) return;
    for (const [key, e] of entries) if (now - e.lastFailure > optionsFor(key).forgetAfterMs) entries.delete(key);
  };
  return {
    retryAfter(keys, now = Date.now()) {
      let wait = 0;
      for (const key of keys) {
        const e = entries.get(key);
        if (e) wait = Math.max(wait, e.lockedUntil - now);
      }
      return Math.max(0, wait);
    },
    failed(keys, now = Date.now()) {
      forgetOld(now);
      for (const key of keys) {
        const options = optionsFor(key);
        const old = entries.get(key);
        const e = old && now - old.lastFailure <= options.forgetAfterMs ? old : { failures: 0, lockedUntil: 0, lastFailure: now };
        e.failures += 1;
        e.lastFailure = now;
        const over = e.failures - options.freeAttempts;
        if (over >= 0) e.lockedUntil = now + Math.min(options.firstLockoutMs * 2 ** over, options.maxLockoutMs);
        entries.set(key, e);
      }
    },
    succeeded(keys) {
      for (const key of keys) entries.delete(key);
    },
  };
}
