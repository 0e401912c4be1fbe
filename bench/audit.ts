import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, gt, isNull } from "drizzle-orm";
import postgres from "postgres";
import { checkpointAuditLog } from "../core/audit/anchor";
import { recordAudit } from "../core/audit/append";
import { openCheckpointFile } from "../core/audit/checkpoints";
import { auditContent, entryProblem } from "../core/audit/proof";
import { sealAuditLog } from "../core/audit/seal";
import { verifyAuditChain } from "../core/audit/verify";
import { canonicalJson } from "../core/canonical";
import type { PendingAudit } from "../core/context";
import { type Ctx, systemClock } from "../core/context";
import { generateNodeKey, nodeIdentity } from "../core/identity/node-identity";
import { newId } from "../core/ids";
import { withTransaction } from "../core/transaction";
import { type Database, migrateDatabase, openDatabase } from "../db/client";
import type { AuditContent } from "../db/queries/audit";
import { auditLog } from "../db/schema";
import { loadSeedEngine } from "../seed/network";
import { benchPostgres, freshDatabase, machine, round, writeSection } from "./support";

// The audit log's tamper evidence, end to end on N entries: writing them with their proofs,
// sealing them into the hash chain, verifying the whole chain against a signed checkpoint, and
// the incremental checkpoint after 1,000 more. Baselines in the same run: the same rows
// inserted raw without proof, and the sealer's read and its chain arithmetic on their own.
// Each repetition runs on a fresh migrated database; figures are medians over repetitions.

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 50_000);
const PER_TX = 100;
const WRITERS = 20;
const REPEATS = 3;
const INCREMENT = 1_000;
const SEAL_BATCH = 2_000; // the sealer's batch (core/audit/seal.ts)

const identity = await nodeIdentity(generateNodeKey());
/** The routing network a context carries; the audit path does not consult it. */
const network = loadSeedEngine();
const orgId = newId("org");
const writer = {
  kind: "carrier" as const,
  orgId,
  orgStatus: "verified" as const,
  keyId: newId("key"),
};

/** Entry i: about the size of a bid's entry. */
function entry(i: number): PendingAudit {
  const id = newId("bid");
  return {
    action: "bid.placed",
    entityType: "bid",
    entityId: id,
    data: {
      loadId: `ld_bench${String(i % 997).padStart(6, "0")}`,
      carrierId: orgId,
      price: { amount: 20_000 + ((i * 7919) % 9000), currency: "CNY" },
      mode: "road",
      vehicleIds: [`veh_bench${String(i % 1000).padStart(6, "0")}`],
    },
  };
}

/** `total` entries in transactions of PER_TX, from WRITERS concurrent writers. */
async function inTransactions(
  total: number,
  write: (from: number, count: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (;;) {
        const from = next;
        if (from >= total) return;
        next += PER_TX;
        await write(from, Math.min(PER_TX, total - from));
      }
    }),
  );
}

/** Through the node's own path: recordAudit in withTransaction, proofs made at commit. */
function writeWithProofs(database: Database, offset = 0) {
  return async (from: number, count: number): Promise<void> => {
    await withTransaction(
      {
        db: database.db,
        actor: writer,
        clock: systemClock,
        identity,
        network,
        requestId: newId("req"),
      },
      async (ctx) => {
        for (let i = from; i < from + count; i++) recordAudit(ctx, entry(offset + i));
      },
    );
  };
}

/** The same rows, no proof, one multi-row insert per transaction through postgres.js. */
function writeRaw(sql: postgres.Sql) {
  return (from: number, count: number) =>
    sql
      .begin(async (tx) => {
        const at = new Date();
        const requestId = newId("req");
        const rows = [];
        for (let i = from; i < from + count; i++) {
          const e = entry(i);
          rows.push({
            at,
            actor_org_id: orgId,
            actor_kind: writer.kind,
            action: e.action,
            entity_type: e.entityType,
            entity_id: e.entityId,
            data: tx.json(e.data as postgres.JSONValue),
            request_id: requestId,
          });
        }
        await tx`insert into audit_raw ${tx(rows)}`;
      })
      .then(() => undefined);
}

type Row = typeof auditLog.$inferSelect;

/** The sealer's read alone: the unsealed rows in id order, in its batches, through drizzle. */
async function readUnsealed(database: Database): Promise<Row[]> {
  const all: Row[] = [];
  let after = 0;
  for (;;) {
    const rows = await database.db
      .select()
      .from(auditLog)
      .where(and(isNull(auditLog.hash), gt(auditLog.id, after)))
      .orderBy(asc(auditLog.id))
      .limit(SEAL_BATCH);
    all.push(...rows);
    if (rows.length < SEAL_BATCH) return all;
    after = rows[rows.length - 1]?.id ?? after;
  }
}

/** The chain by its definition: sha256(prevHash, "\n", canonical JSON of seq and content). */
function chainInMemory(rows: AuditContent[]): string {
  let prev = "0".repeat(64);
  let seq = 0;
  for (const row of rows) {
    seq += 1;
    prev = createHash("sha256")
      .update(prev)
      .update("\n")
      .update(canonicalJson({ seq, ...auditContent(row) }))
      .digest("hex");
  }
  return prev;
}

function proofsInMemory(rows: Row[]): number {
  let problems = 0;
  let prevAt: Date | null = null;
  for (const row of rows) {
    if (entryProblem(identity, row, prevAt)) problems += 1;
    prevAt = row.at;
  }
  return problems;
}

/** Milliseconds of this process's CPU (user and system) since `from`. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

async function timedAsync<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0, cpuMs: cpuMs(c0) };
}

interface Repetition {
  writeMs: number;
  writeCpuMs: number;
  rawMs: number;
  rawCpuMs: number;
  readMs: number;
  readCpuMs: number;
  chainMs: number;
  proofsMs: number;
  sealMs: number;
  sealCpuMs: number;
  firstCheckpointMs: number;
  verifyMs: number;
  verifyCpuMs: number;
  incrementalMs: number;
}

/** The same entries written with proofs and bare, alternating which goes first. */
async function timeWrites(database: Database, raw: postgres.Sql, r: number) {
  // Same columns, defaults and indexes as audit_log, without its triggers.
  await raw`create table audit_raw (like audit_log including all)`;
  // Alternating which goes first, so neither always meets the other's checkpoint and WAL.
  const proofsFirst = r % 2 === 0;
  const writeProofs = () => timedAsync(() => inTransactions(ENTRIES, writeWithProofs(database)));
  const writeBare = () => timedAsync(() => inTransactions(ENTRIES, writeRaw(raw)));
  const write = proofsFirst ? await writeProofs() : undefined;
  const rawWrite = await writeBare();
  const written = write ?? (await writeProofs());
  return { written, rawWrite };
}

/** Reading the unsealed entries, chaining and proving them in memory, then sealing them. */
async function timeReadAndSeal(database: Database, raw: postgres.Sql) {
  // Once untimed, so that the read alone and the sealer both meet pages already visited
  // (hint bits set, in shared buffers) and compare like with like.
  await readUnsealed(database);
  const read = await timedAsync(() => readUnsealed(database));
  if (read.value.length !== ENTRIES) throw new Error(`read ${read.value.length} rows`);
  const chain = timed(() => chainInMemory(read.value));
  const proofs = timed(() => proofsInMemory(read.value));
  if (proofs.value !== 0) throw new Error(`${proofs.value} entries fail their proof`);

  const seal = await timedAsync(() => sealAuditLog(database.db, identity));
  if (seal.value.sealed !== ENTRIES || seal.value.refused.length > 0) {
    throw new Error(`sealed ${seal.value.sealed}, refused ${seal.value.refused.length}`);
  }
  const [head] = await raw<{ hash: string }[]>`
    select hash from audit_log order by seq desc limit 1`;
  if (head?.hash !== chain.value) throw new Error("the chain in memory differs from the seal");
  return { read, chain, proofs, seal };
}

/** The first checkpoint, a verification against it, and an incremental checkpoint. */
async function timeCheckpoints(database: Database, dir: string) {
  const ctx: Ctx = {
    db: database.db,
    actor: { kind: "system", name: "bench" },
    clock: systemClock,
    identity,
    network,
    nodeCode: "XJ",
  };
  const store = await openCheckpointFile(join(dir, "audit.jws"), identity);
  const first = await timedAsync(() => checkpointAuditLog({ ctx, store }));
  if (!first.value.ok || first.value.checkpoint?.count !== ENTRIES) {
    throw new Error(`first checkpoint: ${JSON.stringify(first.value)}`);
  }

  // As GET /v1/audit/verify: against the latest checkpoint, which vouches for the proofs.
  const verify = await timedAsync(() => verifyAuditChain(ctx, { checkpoint: store.latest() }));
  if (!verify.value.ok || verify.value.entries !== ENTRIES) {
    throw new Error(`verify: ${JSON.stringify(verify.value)}`);
  }

  await inTransactions(INCREMENT, writeWithProofs(database, ENTRIES));
  const incremental = await timedAsync(() => checkpointAuditLog({ ctx, store }));
  if (!incremental.value.ok || incremental.value.checkpoint?.count !== ENTRIES + INCREMENT) {
    throw new Error(`incremental checkpoint: ${JSON.stringify(incremental.value)}`);
  }
  return { first, verify, incremental };
}

async function repetition(serverUrl: string, r: number): Promise<Repetition> {
  const fresh = await freshDatabase(serverUrl, `caravan_bench_audit_${process.pid}_${r}`);
  const database = openDatabase(fresh.url, { max: WRITERS });
  const raw = postgres(fresh.url, { max: WRITERS, onnotice: () => {} });
  const dir = await mkdtemp(join(tmpdir(), "caravan-bench-audit-"));
  try {
    await migrateDatabase(database);
    const { written, rawWrite } = await timeWrites(database, raw, r);
    const { read, chain, proofs, seal } = await timeReadAndSeal(database, raw);
    const { first, verify, incremental } = await timeCheckpoints(database, dir);
    return {
      writeMs: written.ms,
      writeCpuMs: written.cpuMs,
      rawMs: rawWrite.ms,
      rawCpuMs: rawWrite.cpuMs,
      readMs: read.ms,
      readCpuMs: read.cpuMs,
      chainMs: chain.ms,
      proofsMs: proofs.ms,
      sealMs: seal.ms,
      sealCpuMs: seal.cpuMs,
      firstCheckpointMs: first.ms,
      verifyMs: verify.ms,
      verifyCpuMs: verify.cpuMs,
      incrementalMs: incremental.ms,
    };
  } finally {
    await raw.end();
    await database.close();
    await rm(dir, { recursive: true, force: true });
    await fresh.drop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

const server = await benchPostgres();
try {
  const reps: Repetition[] = [];
  for (let r = 0; r < REPEATS; r++) reps.push(await repetition(server.url, r));
  const med = (pick: (r: Repetition) => number) => median(reps.map(pick));
  const perSecond = (ms: number) => round(ENTRIES / (ms / 1000), 0);

  const writeMs = med((r) => r.writeMs);
  const rawMs = med((r) => r.rawMs);
  const sealMs = med((r) => r.sealMs);
  const readMs = med((r) => r.readMs);
  const chainMs = med((r) => r.chainMs);
  const proofsMs = med((r) => r.proofsMs);
  const verifyMs = med((r) => r.verifyMs);
  const cpuPerEntryUs = (pick: (r: Repetition) => number) => round((med(pick) * 1000) / ENTRIES, 1);
  const figures = {
    bench: "audit",
    entries: ENTRIES,
    repeats: REPEATS,
    write: { entriesPerSecond: perSecond(writeMs), ms: round(writeMs, 0) },
    writeRaw: { entriesPerSecond: perSecond(rawMs), ms: round(rawMs, 0) },
    seal: { entriesPerSecond: perSecond(sealMs), ms: round(sealMs, 0) },
    sealRead: { entriesPerSecond: perSecond(readMs), ms: round(readMs, 0) },
    chainInMemory: { entriesPerSecond: perSecond(chainMs), ms: round(chainMs, 0) },
    proofsInMemory: { entriesPerSecond: perSecond(proofsMs), ms: round(proofsMs, 0) },
    verify: { entriesPerSecond: perSecond(verifyMs), ms: round(verifyMs, 0) },
    // This process's CPU per entry (PostgreSQL's is not counted): what the node spends itself.
    nodeCpuUsPerEntry: {
      write: cpuPerEntryUs((r) => r.writeCpuMs),
      writeRaw: cpuPerEntryUs((r) => r.rawCpuMs),
      sealRead: cpuPerEntryUs((r) => r.readCpuMs),
      seal: cpuPerEntryUs((r) => r.sealCpuMs),
      verify: cpuPerEntryUs((r) => r.verifyCpuMs),
    },
    firstCheckpointMs: round(
      med((r) => r.firstCheckpointMs),
      0,
    ),
    incrementalCheckpointMs: round(
      med((r) => r.incrementalMs),
      0,
    ),
    ratios: {
      writeToRaw: round(rawMs / writeMs, 2),
      sealToChainInMemory: round(chainMs / sealMs, 2),
      sealToRead: round(readMs / sealMs, 2),
    },
    machine: machine(),
  };
  const share = (ms: number) => `${Math.round((100 * ms) / sealMs)}%`;
  const cpu = figures.nodeCpuUsPerEntry;
  const sealCpuMs = med((r) => r.sealCpuMs);
  const writeBackMs = sealMs - readMs - (sealCpuMs - med((r) => r.readCpuMs));
  const proofUs = round((proofsMs * 1000) / ENTRIES, 1);
  const proofShare = Math.round((100 * proofUs) / (cpu.write - cpu.writeRaw));
  const n = ENTRIES.toLocaleString("en");

  writeSection(
    "audit",
    `## Audit log: proofs, sealing, verification (\`bench/audit.ts\`)

${n} audit entries (each about the size of a bid's), on a fresh migrated database per
repetition; medians of ${REPEATS} repetitions.
1. **Write**: the node's own path, \`recordAudit\` inside \`withTransaction\`, ${PER_TX} entries a
   transaction (the commit flush makes each entry's HMAC proof and inserts them as one
   statement), ${WRITERS} concurrent writers on a pool of ${WRITERS}. Baseline: the same rows
   without proof, one multi-row insert per transaction of ${PER_TX} through postgres.js, same
   concurrency, into a copy of \`audit_log\` (same columns and indexes, no triggers); the two
   take turns going first.
2. **Seal**: \`sealAuditLog\` over all ${n} pending entries (checks every proof, hashes the chain,
   writes \`seq\`, \`prev_hash\` and \`hash\` back in batches of ${SEAL_BATCH.toLocaleString("en")}).
   Baselines: the sealer's read alone (the same query and batches), and in memory over those
   rows the chain arithmetic alone (sha256 of the previous hash and the canonical JSON) and the
   proof checks alone (\`entryProblem\`). The chain in memory ends on the sealed head's hash.
3. **Verify**: \`verifyAuditChain\` as \`GET /v1/audit/verify\` calls it, after
   \`checkpointAuditLog\` has signed a checkpoint at entry ${n} (so proofs up to it are vouched
   for and only hashes are recomputed). Then ${INCREMENT.toLocaleString("en")} more entries
   are written and the incremental \`checkpointAuditLog\` (seal them, walk them with proofs,
   sign, append to the checkpoint file with fsync) is timed.

Machine: ${figures.machine}; 2 cores, shared (PostgreSQL runs on the same cores).

| | entries/s | ms for ${n} |
|---|---:|---:|
| write with proofs (\`recordAudit\`) | ${figures.write.entriesPerSecond} | ${figures.write.ms} |
| baseline: raw insert, no proof | ${figures.writeRaw.entriesPerSecond} | ${figures.writeRaw.ms} |
| seal (\`sealAuditLog\`) | ${figures.seal.entriesPerSecond} | ${figures.seal.ms} |
| baseline: the sealer's read alone | ${figures.sealRead.entriesPerSecond} | ${figures.sealRead.ms} |
| baseline: chain arithmetic in memory | ${figures.chainInMemory.entriesPerSecond} | ${figures.chainInMemory.ms} |
| proof checks in memory | ${figures.proofsInMemory.entriesPerSecond} | ${figures.proofsInMemory.ms} |
| full verification (\`verifyAuditChain\`, with checkpoint) | ${figures.verify.entriesPerSecond} | ${figures.verify.ms} |

Incremental checkpoint after ${INCREMENT.toLocaleString("en")} new entries: **${figures.incrementalCheckpointMs} ms**
(the first checkpoint, over all ${n} with proofs: ${figures.firstCheckpointMs} ms).

Ratios: writing with proofs runs at **${figures.ratios.writeToRaw}** of the raw insert's rate;
sealing at **${figures.ratios.sealToChainInMemory}** of the in-memory chain arithmetic's and
**${figures.ratios.sealToRead}** of the bare read's.

Where the time goes. Sealing: the read alone is ${share(readMs)} of the sealer's
${figures.seal.ms} ms, and the node's own CPU ${round(sealCpuMs, 0)} ms (${cpu.seal} µs an
entry). Taking away the read and the node's CPU beyond the read leaves about
${round(writeBackMs, 0)} ms (${share(writeBackMs)}) waiting on PostgreSQL for the rest: mostly
the batched \`jsonb_to_recordset\` update of \`seq\`, \`prev_hash\` and \`hash\` under the
advisory lock, which also runs the append-only trigger (PL/pgSQL) for every row.
In memory, the chain hashing is ${share(chainMs)} and the proof checks
${share(proofsMs)} of the sealer's time (each encodes the canonical JSON itself, which the
sealer does once per entry for both, so their sum overstates its share). Verification with a
checkpoint recomputes hashes only: ${cpu.verify} µs of node CPU an entry, of which reading and
decoding the rows is about ${cpu.sealRead}. Writing costs the node ${cpu.write} µs of CPU an
entry against ${cpu.writeRaw} for the raw insert; making a proof (canonical JSON and HMAC, about
${proofUs} µs by the proof checks in memory) is ${proofShare}% of that difference, and the rest
is the write path around it (\`recordAudit\`'s JSON round trip, the 100-row insert's parallel
arrays, \`withTransaction\`), not split further here. PostgreSQL's CPU is not in the CPU
figures; it runs on the same 2 cores, and shared-machine noise moved some figures by a third
between whole runs, hence the medians.`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await server.stop();
}
