// A promise with its resolve and reject in hand (Promise.withResolvers, which Node 20 lacks):
// for a group of writes whose waiters are settled together when the group commits.
export type Deferred = { promise: Promise<void>; resolve(): void; reject(error: Error): void };

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
