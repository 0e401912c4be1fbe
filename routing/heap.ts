/**
 * Binary min-heap of integer items keyed by (k1, k2), ties broken by the item itself, so the
 * pop order — and with it every search — is deterministic. Lazy deletion: callers skip stale
 * entries.
 */
export class PairHeap {
  private k1 = new Float64Array(1024);
  private k2 = new Float64Array(1024);
  private items = new Int32Array(1024);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  private less(i: number, j: number): boolean {
    const a = this.k1[i] as number;
    const b = this.k1[j] as number;
    if (a !== b) return a < b;
    const c = this.k2[i] as number;
    const d = this.k2[j] as number;
    if (c !== d) return c < d;
    return (this.items[i] as number) < (this.items[j] as number);
  }

  private swap(i: number, j: number): void {
    const k1 = this.k1;
    const k2 = this.k2;
    const it = this.items;
    const a = k1[i] as number;
    k1[i] = k1[j] as number;
    k1[j] = a;
    const b = k2[i] as number;
    k2[i] = k2[j] as number;
    k2[j] = b;
    const c = it[i] as number;
    it[i] = it[j] as number;
    it[j] = c;
  }

  push(item: number, key1: number, key2: number): void {
    if (this.size === this.items.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, b: T) => {
        b.set(a);
        return b;
      };
      this.k1 = grow(this.k1, new Float64Array(this.size * 2));
      this.k2 = grow(this.k2, new Float64Array(this.size * 2));
      this.items = grow(this.items, new Int32Array(this.size * 2));
    }
    let i = this.size++;
    this.k1[i] = key1;
    this.k2[i] = key2;
    this.items[i] = item;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Key of the top entry; call only when size > 0. */
  topKey1(): number {
    return this.k1[0] as number;
  }

  topKey2(): number {
    return this.k2[0] as number;
  }

  /** Removes and returns the smallest item; call only when size > 0. */
  pop(): number {
    const top = this.items[0] as number;
    const last = --this.size;
    if (last > 0) {
      this.k1[0] = this.k1[last] as number;
      this.k2[0] = this.k2[last] as number;
      this.items[0] = this.items[last] as number;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && this.less(r, l) ? r : l;
        if (!this.less(c, i)) break;
        this.swap(c, i);
        i = c;
      }
    }
    return top;
  }
}
