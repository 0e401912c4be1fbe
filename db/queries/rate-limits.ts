import { sql } from "drizzle-orm";
import type { Db } from "../client";

/** A bucket's budget: `capacity` tokens, refilled at `perSecond`. */
export interface BucketLimit {
  capacity: number;
  perSecond: number;
}

const refilled = sql`least(excluded.capacity, b.tokens + extract(epoch from now() - b.updated_at) * excluded.per_second)`;

/** Spends one token in the database; the balance left, or undefined when none was left. */
export async function spendBucketToken(
  db: Db,
  params: { bucket: string; limit: BucketLimit },
): Promise<number | undefined> {
  const { bucket, limit } = params;
  const [row] = await db.execute<{ tokens: number }>(sql`
    insert into rate_limit_buckets as b (bucket, tokens, capacity, per_second, updated_at)
    values (${bucket}, ${limit.capacity - 1}, ${limit.capacity}, ${limit.perSecond}, now())
    on conflict (bucket) do update set
      tokens = ${refilled} - 1, capacity = excluded.capacity,
      per_second = excluded.per_second, updated_at = now()
    where ${refilled} >= 1
    returning tokens`);
  return row ? Number(row.tokens) : undefined;
}

/** A bucket's balance now (0 when it has none yet). */
export async function bucketBalance(db: Db, bucket: string): Promise<number> {
  const [row] = await db.execute<{ tokens: number }>(sql`
    select least(capacity, tokens + extract(epoch from now() - updated_at) * per_second) as tokens
    from rate_limit_buckets where bucket = ${bucket}`);
  return Number(row?.tokens ?? 0);
}

/**
 * Subtracts what each process spent locally from the shared buckets, in bucket order (one
 * lock order for every process, so overlapping batches cannot deadlock). Returns the balances.
 */
export async function spendBucketTokens(
  db: Db,
  spent: { bucket: string; used: number; limit: BucketLimit }[],
): Promise<{ bucket: string; tokens: number }[]> {
  const rows = await db.execute<{ bucket: string; tokens: number }>(sql`
    insert into rate_limit_buckets as b (bucket, tokens, capacity, per_second, updated_at)
    select t.bucket, t.capacity - t.used, t.capacity, t.per_second, now()
    from jsonb_to_recordset(${JSON.stringify(
      spent.map((s) => ({
        bucket: s.bucket,
        used: s.used,
        capacity: s.limit.capacity,
        per_second: s.limit.perSecond,
      })),
    )}::jsonb) as t(bucket text, used float8, capacity float8, per_second float8)
    order by t.bucket
    on conflict (bucket) do update set
      -- excluded.tokens is capacity - used; the floor bounds the debt overspending leaves.
      tokens = greatest(-excluded.capacity, least(excluded.capacity,
        b.tokens + extract(epoch from now() - b.updated_at) * excluded.per_second)
        - (excluded.capacity - excluded.tokens)),
      capacity = excluded.capacity, per_second = excluded.per_second, updated_at = now()
    returning bucket, tokens`);
  return rows.map((r) => ({ bucket: r.bucket, tokens: Number(r.tokens) }));
}

/** Deletes buckets idle long enough to be full again: they carry no information. */
export async function deleteFullIdleBuckets(db: Db): Promise<void> {
  await db.execute(sql`
    delete from rate_limit_buckets
    where updated_at < now() - interval '10 minutes'
      and tokens + extract(epoch from now() - updated_at) * per_second >= capacity`);
}
