// A tiny seeded PRNG (mulberry32) and the draws the e2e load makes with it, so every run
// with the same seed does the same: the fuzzer throws the same bytes in the same order, the
// crash test kills the hub at the same points (e2e/broker-crash.spec.ts).
export type Random = {
  (): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  bytes(n: number): Buffer;
};

export function prng(seed: number): Random {
  let state = seed | 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = next as Random;
  random.int = (n) => Math.floor(next() * n);
  random.pick = (items) => items[random.int(items.length)];
  random.chance = (p) => next() < p;
  random.bytes = (n) => Buffer.from(Array.from({ length: n }, () => random.int(256)));
  return random;
}
