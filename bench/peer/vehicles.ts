import { createHash, randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import postgres from "postgres";
import { z } from "zod";

// The peer a user would hand-roll instead of running a node: the same endpoint on the same
// stack (Hono, @hono/node-server, zod, postgres.js), an in-memory key cache and one INSERT
// returning the row, and nothing else: no audit, no rate limit, no metrics, no request ids.
// Run by bench/api.ts as its own process, as the node is.

const sql = postgres(process.env.DATABASE_URL ?? "", {
  max: Number(process.env.PEER_POOL ?? 20),
  onnotice: () => {},
});
const keys = new Map<string, string>();

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
  const [row] = await sql`
    insert into vehicles (id, carrier_id, mode, plate, capacity_kg, capacity_m3, created_at)
    values (${id}, ${carrier}, ${v.mode}, ${v.plate}, ${v.capacityKg}, ${v.capacityM3}, now())
    returning id, carrier_id as "carrierId", mode, plate, capacity_kg as "capacityKg",
      capacity_m3 as "capacityM3", created_at as "createdAt"`;
  return c.json(row, 201);
});

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3918) }, () => {
  process.stdout.write("peer is up\n");
});
process.on("SIGTERM", () => void sql.end().then(() => process.exit(0)));
