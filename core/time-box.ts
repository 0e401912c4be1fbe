/**
 * Settles with `promise`, or with `fallback` once `ms` have passed, whichever comes first.
 * The work itself goes on; a late rejection is swallowed, since nobody waits for it any more.
 */
export function timeBox<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  promise.catch(() => {});
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
