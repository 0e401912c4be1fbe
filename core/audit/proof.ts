import { timingSafeEqual } from "node:crypto";
import type { AuditContent } from "../../db/queries/audit";
import { canonicalJson } from "../canonical";
import type { NodeIdentity } from "../identity/node-identity";

/**
 * How far an entry may be dated before the entry it follows in the chain. Entries are
 * dated when written and chained in commit order, so a slow commit lands a little out of
 * order; anything older is a forgery or a replayed copy of an old entry.
 */
const BACKDATING_TOLERANCE_MS = 60_000;

/**
 * The node's proof that it wrote an entry: an HMAC of the entry's canonical content under a
 * secret the database does not hold. One HMAC per entry, computed as the entry is written.
 */
export function auditProof(
  identity: NodeIdentity,
  entry: AuditContent,
  json = contentJson(entry),
): string {
  return identity.auditMac(json);
}

/**
 * The canonical JSON of an entry's content. Sealing and verifying compute it once per entry
 * and hand it to both the proof check and the chain hash (`entryHash`).
 */
export function contentJson(entry: AuditContent): string {
  return canonicalJson(auditContent(entry));
}

/** Just the content fields of an entry (a row carries more), for hashing and proofs. */
export function auditContent(entry: AuditContent): AuditContent {
  return {
    at: entry.at,
    actorOrgId: entry.actorOrgId,
    actorKind: entry.actorKind,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    data: entry.data,
    requestId: entry.requestId,
  };
}

function sameProof(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function span(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/**
 * Why an entry may not join the chain after an entry dated `prevAt`, or null if it may:
 * it must carry a valid proof and must not be dated before its predecessor (beyond the
 * tolerance). Every applicable reason is named.
 */
export function entryProblem(
  identity: NodeIdentity,
  entry: AuditContent & { proof: string | null },
  prevAt: Date | null,
  json = contentJson(entry),
): string | null {
  const reasons: string[] = [];
  if (!entry.proof) reasons.push("carries no proof of being written by this node");
  else if (!sameProof(entry.proof, auditProof(identity, entry, json))) {
    reasons.push("its proof does not match its content (changed after the node wrote it)");
  }
  if (prevAt && entry.at.getTime() < prevAt.getTime() - BACKDATING_TOLERANCE_MS) {
    reasons.push(
      `dated ${span(prevAt.getTime() - entry.at.getTime())} before the entry it follows (time runs backwards)`,
    );
  }
  return reasons.length > 0 ? reasons.join("; ") : null;
}
