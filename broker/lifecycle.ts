// What start-up opened, closed in the reverse order by construction: each part is
// registered the moment it has started, with how to close it. A failure anywhere in
// start-up closes exactly what was opened before it; a clean stop runs the same list.
export type Lifecycle = {
  /** Registers `close` for `part`, which has just started, and hands `part` back. */
  add<T>(name: string, part: T, close: (part: T) => unknown): T;
  /** Closes every registered part, newest first; one failing does not keep the rest open. */
  close(): Promise<void>;
};

/**
 * `signal` stops a start-up between two parts (review-16 F14: a SIGTERM while the hub
 * starts): the part just started is registered, so it is closed with the rest, and then
 * `add` throws the signal's reason.
 */
export function createLifecycle(onError: (name: string, error: Error) => void, signal?: AbortSignal): Lifecycle {
  const stack: { name: string; close(): unknown }[] = [];
  let closing: Promise<void> | null = null;
  return {
    add(name, part, close) {
      if (closing) throw new Error(`cannot start ${name}: the hub is closing`);
      stack.push({ name, close: () => close(part) });
      signal?.throwIfAborted();
      return part;
    },
    close() {
      closing ??= (async () => {
        for (let part = stack.pop(); part; part = stack.pop()) {
          try {
            await part.close();
          } catch (error) {
            onError(part.name, error instanceof Error ? error : new Error(String(error)));
          }
        }
      })();
      return closing;
    },
  };
}
