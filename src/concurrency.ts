/**
 * Bounded concurrency for calls to AWS and to the engine: never more than `limit` in flight, results in the
 * items' order. One helper for every module that fans out (regions in discovery, tag reads in the sweep, regions
 * of a batch), and a limiter for jobs that arrive one at a time (analyze's staged writes).
 */

/** Runs `task` over `items` with at most `limit` in flight; results keep the items' order; the first failure rejects. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A limiter: each job passed to it runs when fewer than `limit` of its jobs are running, in the order they came.
 * For jobs that arrive one at a time, where {@link mapWithConcurrency} needs them all at once.
 */
export function concurrencyLimit(limit: number): <R>(job: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await job();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
