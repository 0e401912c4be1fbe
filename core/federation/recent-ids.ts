/**
 * The last `capacity` ids this process saw delivered. A delivery job whose outbox row is
 * among them ends without a query: the job that sent a batch of a hundred rows leaves ninety-
 * nine jobs behind it whose work is done. Only an answer from the partner adds an id, so a
 * miss costs one query and a hit is never wrong.
 */
export class RecentIds {
  readonly #ids = new Set<string>();

  constructor(readonly capacity: number) {}

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  addAll(ids: readonly string[]): void {
    for (const id of ids) this.#ids.add(id);
    // A Set iterates in insertion order: the oldest go first.
    for (const id of this.#ids) {
      if (this.#ids.size <= this.capacity) break;
      this.#ids.delete(id);
    }
  }
}
