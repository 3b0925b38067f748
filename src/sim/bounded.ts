/** Runs `fn` over `items` with at most `concurrency` calls in flight; resolves when all settled, with the errors. */
export async function forEachBounded<T>(items: Iterable<T>, concurrency: number, fn: (item: T) => Promise<void>): Promise<unknown[]> {
  const it = items[Symbol.iterator]();
  const errors: unknown[] = [];
  const worker = async () => {
    for (let next = it.next(); !next.done; next = it.next()) {
      try {
        await fn(next.value);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return errors;
}
