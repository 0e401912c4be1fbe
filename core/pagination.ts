export interface Page<T> {
  items: T[];
  /** The last shown row's key, or null on the last page. */
  nextCursor: string | null;
}

/**
 * A page from rows fetched with `limit + 1`: the extra row only tells that another page
 * follows; the cursor is the key of the last row shown.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  cursorOf: (row: R) => string,
  view: (row: R) => T,
): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(view),
    nextCursor: rows.length > limit && last ? cursorOf(last) : null,
  };
}
