// The checks every HistoryStore makes on a query before touching its storage, so a
// bad range or budget is the same RangeError whatever stands behind the store.

export function checkRange(from: number, to: number): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
    throw new RangeError(`history query range must be whole epoch milliseconds, got from=${from} to=${to}`);
  }
}

export function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`history query ${name} must be a whole number of at least 1, got ${n}`);
  }
}
