import type { Db } from "../../db/client";
import {
  bucketBalance,
  deleteFullIdleBuckets,
  spendBucketToken,
  spendBucketTokens,
} from "../../db/queries/rate-limits";

/** A token bucket: up to `capacity` at once, refilled continuously at `perSecond`. */
export interface Limit {
  capacity: number;
  perSecond: number;
}

export const perMinute = (n: number): Limit => ({ capacity: n, perSecond: n / 60 });
export const perHour = (n: number): Limit => ({ capacity: n, perSecond: n / 3600 });

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  limit: Limit;
  /** This process's view of the shared balance at `at`, its own spending included. */
  tokens: number;
  at: number;
  /** Spent here and not yet sent to the database. */
  unsent: number;
  /** Spent here since the last balance came back, and how much may be before asking again. */
  sinceSync: number;
  allowance: number;
  syncedAt: number;
  usedAt: number;
}

/** A bucket is trusted this long after its balance came back; in use, it is synced every flush. */
const FRESH_MS = 1_000;
/** Buckets used this recently are synced on every flush, so other processes' spending shows. */
const WARM_MS = 2_000;
const EVICT_MS = 60_000;
/** Between syncs a process may spend this share of the balance it last saw on its own. */
const SHARE = 0.1;
/** Flushes a request waits for, near a spent budget, before it is refused. */
const MAX_WAITS = 20;
const SWEEP_MS = 5 * 60_000;
const BATCH = 2_000;

/**
 * Rate limits shared by every node process on one database, without a database round trip
 * per request. Each process keeps a local copy of the buckets it uses and spends from it;
 * every `flushMs` one statement adds what it spent to the shared balances and reads them
 * back (others' spending included). A process spends at most a tenth of the balance it last
 * saw before it waits for the next flush, so several processes overshoot a limit by little.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private lastSweep = Date.now();
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly opts: { flushMs?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Spends one token; answers from memory unless the bucket is cold or nearly spent. */
  take(name: string, limit: Limit): Verdict | Promise<Verdict> {
    const b = this.buckets.get(name);
    const now = Date.now();
    if (b && now - b.syncedAt < FRESH_MS && b.sinceSync < b.allowance) return spend(b, now);
    return this.takeAfterSync(name, limit);
  }

  private async takeAfterSync(name: string, limit: Limit): Promise<Verdict> {
    const b = this.bucket(name, limit);
    for (let wait = 0; wait < MAX_WAITS; wait++) {
      await this.flush();
      const now = Date.now();
      // Without a fresh balance (the database is unreachable) the local one still limits.
      if (now - b.syncedAt >= FRESH_MS || b.sinceSync < b.allowance) return spend(b, now);
      refill(b, now);
      if (b.tokens < 1) return spend(b, now);
    }
    // A crowd of requests on one nearly spent budget: the rest are refused, not queued.
    return { ok: false, retryAfterSeconds: 1 };
  }

  /**
   * Spends one token in the database itself, for rare or suspicious requests (registrations,
   * failed authentication) where exactness matters more than a round trip.
   */
  async consume(name: string, limit: Limit): Promise<Verdict> {
    const left = await spendBucketToken(this.db, { bucket: name, limit });
    const local = this.buckets.get(name);
    if (left !== undefined) {
      if (local) this.adopt(local, left, Date.now());
      return { ok: true };
    }
    const tokens = await bucketBalance(this.db, name);
    this.adopt(this.bucket(name, limit), tokens, Date.now());
    return { ok: false, retryAfterSeconds: retryAfter(tokens, limit) };
  }

  /** Whether this process already knows the bucket is empty; no database access. */
  exhausted(name: string): Verdict {
    const b = this.buckets.get(name);
    if (!b) return { ok: true };
    const now = Date.now();
    refill(b, now);
    return b.tokens < 1
      ? { ok: false, retryAfterSeconds: retryAfter(b.tokens, b.limit) }
      : { ok: true };
  }

  /** Sends what is left and stops the timer. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    this.stopped = true;
  }

  private bucket(name: string, limit: Limit): Bucket {
    let b = this.buckets.get(name);
    const now = Date.now();
    if (!b) {
      b = {
        limit,
        tokens: limit.capacity,
        at: now,
        unsent: 0,
        sinceSync: 0,
        allowance: 0,
        syncedAt: 0,
        usedAt: now,
      };
      this.buckets.set(name, b);
    }
    b.usedAt = now;
    if (!this.timer && !this.stopped) {
      this.timer = setInterval(() => void this.flush(), this.opts.flushMs ?? 200);
      this.timer.unref();
    }
    return b;
  }

  /** Takes a balance read from the database as the truth, less what was spent meanwhile. */
  private adopt(b: Bucket, shared: number, now: number): void {
    b.tokens = Math.min(b.limit.capacity, shared) - b.unsent;
    b.at = now;
    b.sinceSync = b.unsent;
    b.allowance = Math.max(1, Math.floor(shared * SHARE));
    b.syncedAt = now;
  }

  /** Runs a flush that starts after this call; concurrent callers share it. Never rejects. */
  private flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.inflight) {
      this.queued = this.inflight.then(() => {
        this.queued = undefined;
        return this.runFlush();
      });
      return this.queued;
    }
    return this.runFlush();
  }

  private runFlush(): Promise<void> {
    const run = this.sync()
      .catch((err) => this.opts.onError?.(err))
      .finally(() => {
        if (this.inflight === run) this.inflight = undefined;
      });
    this.inflight = run;
    return run;
  }

  private async sync(): Promise<void> {
    const now = Date.now();
    const batch: { name: string; b: Bucket; sent: number }[] = [];
    const flushMs = this.opts.flushMs ?? 200;
    for (const [name, b] of this.buckets) {
      const active = b.unsent !== 0 || now - b.usedAt < WARM_MS;
      if (!active && b.syncedAt !== 0) {
        if (now - b.usedAt > EVICT_MS) this.buckets.delete(name);
        continue;
      }
      // A bucket far from empty is synced less often, but always before it goes stale.
      const due =
        b.syncedAt === 0 ||
        b.sinceSync * 2 >= b.allowance ||
        now - b.syncedAt >= FRESH_MS - 2 * flushMs;
      if (due) batch.push({ name, b, sent: b.unsent });
    }
    if (this.buckets.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    // One lock order for every process, so two overlapping batches cannot deadlock.
    batch.sort((x, y) => (x.name < y.name ? -1 : 1));
    for (let i = 0; i < batch.length; i += BATCH) {
      const part = batch.slice(i, i + BATCH);
      for (const p of part) p.b.unsent -= p.sent;
      try {
        const rows = await spendBucketTokens(
          this.db,
          part.map((p) => ({ bucket: p.name, used: p.sent, limit: p.b.limit })),
        );
        const at = Date.now();
        for (const row of rows) {
          const b = this.buckets.get(row.bucket);
          if (b) this.adopt(b, row.tokens, at);
        }
      } catch (err) {
        for (const p of part) p.b.unsent += p.sent;
        throw err;
      }
    }
    if (now - this.lastSweep > SWEEP_MS) {
      this.lastSweep = now;
      // Buckets idle long enough to be full again carry no information.
      await deleteFullIdleBuckets(this.db);
    }
  }
}

function refill(b: Bucket, now: number): void {
  b.tokens = Math.min(b.limit.capacity, b.tokens + ((now - b.at) / 1000) * b.limit.perSecond);
  b.at = now;
}

function spend(b: Bucket, now: number): Verdict {
  refill(b, now);
  b.usedAt = now;
  if (b.tokens < 1) return { ok: false, retryAfterSeconds: retryAfter(b.tokens, b.limit) };
  b.tokens -= 1;
  b.unsent += 1;
  b.sinceSync += 1;
  return { ok: true };
}

function retryAfter(tokens: number, limit: Limit): number {
  return Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
}
