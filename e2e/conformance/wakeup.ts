// Waiting, bounded, for something a stream delivers (a packet, a line, a close):
// the stream calls wake() whenever it has news, a waiter re-checks on each.
export class Wakeup {
  private waiters: (() => void)[] = [];

  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The first non-undefined answer of `check`, re-asked on every wake; null once `over()` or the time is up. */
  async poll<T>(check: () => T | undefined, over: () => boolean, timeoutMs: number): Promise<T | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (over() || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
