import { createHash, randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";
import { z } from "zod";
import { auditProof } from "../../core/audit/proof";
import { startAuditSealer } from "../../core/audit/seal";
import { generateNodeKey, nodeIdentity, parseNodeKey } from "../../core/identity/node-identity";
import { openDatabase } from "../../db/client";

// The peer a user would hand-roll instead of running a node: the same endpoint on the same
// stack (Hono, @hono/node-server, zod, postgres.js), an in-memory key cache and one INSERT
// returning the row, and nothing else: no audit, no rate limit, no metrics, no request ids.
// Run by bench/api.ts as its own process, as the node is.
//
// With PEER_AUDIT=1 it also keeps the node's audit trail, and only that: the same statement
// inserts the entry with its proof (canonical JSON and HMAC, the node's own functions), and
// the node's sealer chains entries every 200 ms in this process. The difference between the
// two peers is what the audit trail costs; between this one and the node, everything else.

const sql = postgres(process.env.DATABASE_URL ?? "", {
  max: Number(process.env.PEER_POOL ?? 20),
  onnotice: () => {},
});
const keys = new Map<string, string>();
const audited = process.env.PEER_AUDIT === "1";
// The node's key when given (CARAVAN_NODE_KEY), so that the node accepts these entries too.
const nodeKey = process.env.CARAVAN_NODE_KEY;
const identity = audited
  ? await nodeIdentity(nodeKey ? parseNodeKey(nodeKey) : generateNodeKey())
  : undefined;
const sealing = audited ? openDatabase(process.env.DATABASE_URL ?? "", { max: 1 }) : undefined;
const sealer =
  identity && sealing
    ? startAuditSealer(sealing.db, identity, {
        intervalMs: 200,
        onError: (err) => process.stderr.write(`sealing failed: ${String(err)}\n`),
        onRefused: () => {},
      })
    : undefined;

async function carrierOf(authorization: string | undefined): Promise<string | undefined> {
  const key = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
  if (!key) return undefined;
  const cached = keys.get(key);
  if (cached) return cached;
  const hash = createHash("sha256").update(key).digest("hex");
  const [row] = await sql<{ org_id: string }[]>`
    select org_id from api_keys where hash = ${hash} and revoked_at is null`;
  if (row) keys.set(key, row.org_id);
  return row?.org_id;
}

const Vehicle = z.strictObject({
  mode: z.enum(["road", "rail", "sea", "air"]),
  plate: z.string().min(1).max(20),
  capacityKg: z.number().int().positive(),
  capacityM3: z.number().positive(),
});

const app = new Hono();
app.post("/v1/carriers/:id/vehicles", async (c) => {
  const carrier = await carrierOf(c.req.header("authorization"));
  if (!carrier) return c.json({ error: "unauthorized" }, 401);
  if (carrier !== c.req.param("id")) return c.json({ error: "forbidden" }, 403);
  const parsed = Vehicle.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) return c.json({ error: parsed.error.issues }, 400);
  const v = parsed.data;
  const id = `veh_${randomBytes(12).toString("base64url")}`;
  if (!identity) {
    const [row] = await sql`
      insert into vehicles (id, carrier_id, mode, plate, capacity_kg, capacity_m3, created_at)
      values (${id}, ${carrier}, ${v.mode}, ${v.plate}, ${v.capacityKg}, ${v.capacityM3}, now())
      returning id, carrier_id as "carrierId", mode, plate, capacity_kg as "capacityKg",
        capacity_m3 as "capacityM3", created_at as "createdAt"`;
    return c.json(row, 201);
  }
  const at = new Date();
  const data = { carrierId: carrier, ...v };
  const entry = {
    at,
    actorOrgId: carrier,
    actorKind: "carrier",
    action: "vehicle.registered",
    entityType: "vehicle",
    entityId: id,
    data,
    requestId: null,
  };
  const [row] = await sql`
    with v as (
      insert into vehicles (id, carrier_id, mode, plate, capacity_kg, capacity_m3, created_at)
      values (${id}, ${carrier}, ${v.mode}, ${v.plate}, ${v.capacityKg}, ${v.capacityM3}, ${at})
      returning id, carrier_id as "carrierId", mode, plate, capacity_kg as "capacityKg",
        capacity_m3 as "capacityM3", created_at as "createdAt"
    ), a as (
      insert into audit_log (at, actor_org_id, actor_kind, action, entity_type, entity_id, data,
        request_id, proof)
      select ${at}, ${carrier}, 'carrier', 'vehicle.registered', 'vehicle', v.id,
        ${JSON.stringify(data)}::jsonb, null, ${auditProof(identity, entry)}
      from v
    )
    select * from v`;
  return c.json(row, 201);
});

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3918) }, () => {
  process.stdout.write("peer is up\n");
});
process.on("SIGTERM", async () => {
  await sealer?.stop();
  await Promise.all([sql.end(), sealing?.close()]);
  process.exit(0);
});
