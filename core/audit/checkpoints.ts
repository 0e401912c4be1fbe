import { mkdir, open, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Db } from "../../db/client";
import { databaseName } from "../../db/queries/audit";
import type { NodeIdentity } from "../identity/node-identity";

/**
 * A signed statement of the chain's length and head at a time. Kept where an edit of the
 * database alone cannot reach it (a file beside the data, the log; partners later), it lets
 * verification catch entries deleted from the end, or rewritten and re-chained.
 */
export interface Checkpoint {
  /** Entries in the chain; the head is entry `count` (0: the empty chain). */
  count: number;
  /** The hash of entry `count` (the genesis hash for the empty chain). */
  head: string;
  /** When it was signed (ISO 8601). */
  at: string;
  /** The node code of the signer, when known. */
  node?: string;
  /** The signing key. */
  kid: string;
  /** The compact JWS (EdDSA) whose payload is `{ count, head, at, node }`. */
  jws: string;
}

const CHECKPOINT_TYP = "caravan-audit-checkpoint";

/**
 * The checkpoint file of the database `db` names, under the data directory:
 * `audit/<database>.jws`, so a data directory used with another database starts that
 * database's own anchor. Only the name counts, and the node reaches its database by the name
 * it is configured with: whatever answers under that name (a restored or swapped copy too) is
 * held to the same checkpoints, and nothing in the database can choose another file.
 */
export async function checkpointFileFor(dataDir: string, db: Db): Promise<string> {
  const name = await databaseName(db);
  return join(dataDir, "audit", `${name.replace(/[^\w.-]/g, "_")}.jws`);
}

/** Where checkpoints are kept: appended, never rewritten; the latest is held in memory. */
export interface CheckpointStore {
  latest(): Checkpoint | null;
  add(checkpoint: Omit<Checkpoint, "kid" | "jws">): Promise<Checkpoint>;
}

function parsePayload(bytes: Uint8Array): Omit<Checkpoint, "kid" | "jws"> | null {
  try {
    const p = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (
      Number.isSafeInteger(p.count) &&
      typeof p.head === "string" &&
      typeof p.at === "string" &&
      (p.node === undefined || typeof p.node === "string")
    ) {
      return { count: p.count as number, head: p.head, at: p.at, node: p.node };
    }
  } catch {
    // not a checkpoint
  }
  return null;
}

/** A checkpoint if `jws` is one this node signed, else null. */
async function readCheckpoint(identity: NodeIdentity, jws: string): Promise<Checkpoint | null> {
  const payload = await identity.verify(jws);
  const body = payload && parsePayload(payload);
  return body ? { ...body, kid: identity.kid, jws } : null;
}

const TAIL_BYTES = 64 * 1024;

/**
 * Checkpoints in an append-only file, one compact JWS a line (mode 0600). Opening reads only
 * the file's tail: the last line this node's key signed is the latest checkpoint. Lines it
 * did not sign (a torn write, another key) are skipped and reported through `onSkipped`.
 */
export async function openCheckpointFile(
  path: string,
  identity: NodeIdentity,
  opts: { onSkipped?: (lines: number) => void } = {},
): Promise<CheckpointStore> {
  let latest: Checkpoint | null = null;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const text = await readTail(path);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  let skipped = 0;
  for (let i = lines.length - 1; i >= 0 && !latest; i--) {
    latest = await readCheckpoint(identity, (lines[i] ?? "").trim());
    if (!latest) skipped += 1;
  }
  if (skipped > 0) opts.onSkipped?.(skipped);
  return {
    latest: () => latest,
    async add(body) {
      const payload = new TextEncoder().encode(JSON.stringify(body));
      const jws = await identity.sign(payload, CHECKPOINT_TYP);
      const file = await open(path, "a", 0o600);
      try {
        await file.write(`${jws}\n`);
        await file.datasync();
      } finally {
        await file.close();
      }
      latest = { ...body, kid: identity.kid, jws };
      return latest;
    },
  };
}

async function readTail(path: string): Promise<string> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
  try {
    const { size } = await file.stat();
    if (size <= TAIL_BYTES) return await readFile(file, "utf8");
    const buf = Buffer.alloc(TAIL_BYTES);
    await file.read(buf, 0, TAIL_BYTES, size - TAIL_BYTES);
    const text = buf.toString("utf8");
    return text.slice(text.indexOf("\n") + 1); // the first line is likely cut
  } finally {
    await file.close();
  }
}
