import { availableParallelism } from "node:os";
import { z } from "zod";
import { NODE_KINDS } from "../db/schema/federation";
import { parseCidrList } from "./egress";

/** A node's code (`CARAVAN_NODE_CODE`): also how partners name each other. */
export const NODE_CODE_PATTERN = /^[A-Z]{2,4}$/;
export const NODE_CODE_RULE = "must be 2–4 capital letters, e.g. XJ";

const nodeCode = z.string().regex(NODE_CODE_PATTERN, NODE_CODE_RULE).default("XJ");

const optionalUrl = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === "" ? undefined : v))
    .refine(
      (v) => v === undefined || protocols.some((p) => v.startsWith(`${p}://`)),
      `must start with ${protocols.map((p) => `${p}://`).join(" or ")}`,
    );

/** Comma-separated CIDR ranges, checked at start-up so a typo stops the node. */
const cidrList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    try {
      return parseCidrList(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e) });
      return z.NEVER;
    }
  });

const PROCESSES_RULE = "must be a whole number from 1 to 256, or auto";

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: optionalUrl(["postgres", "postgresql"]),
  /**
   * Where session state works (advisory locks, LISTEN): PostgreSQL itself, or a pooler in
   * session mode, when DATABASE_URL goes through one in transaction mode. Unset: DATABASE_URL.
   */
  DATABASE_SESSION_URL: optionalUrl(["postgres", "postgresql"]),
  /**
   * A read replica of DATABASE_URL (streaming replication) that reports read their cells
   * from; everything else, and every write, goes to DATABASE_URL. Unset: DATABASE_URL.
   */
  DATABASE_REPLICA_URL: optionalUrl(["postgres", "postgresql"]),
  REDIS_URL: optionalUrl(["redis", "rediss"]),
  CARAVAN_ADMIN_KEY: z
    .string()
    .min(24, "must be at least 24 characters")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  CARAVAN_DATA_DIR: z.string().default("./.caravan"),
  /** Seals feed cursors; unset, one is generated once into CARAVAN_DATA_DIR/cursor-secret. */
  CARAVAN_CURSOR_SECRET: z
    .string()
    .min(32, "must be at least 32 characters")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  CARAVAN_NODE_CODE: nodeCode,
  /** The node's name and kind as `/.well-known/caravan-node` tells partners. */
  CARAVAN_NODE_NAME: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => (v ? v : undefined)),
  CARAVAN_NODE_KIND: z.enum(NODE_KINDS).default("regional"),
  /** Hours a rotated-out signing key stays published and signing beside its successor. */
  CARAVAN_NODE_KEY_GRACE_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .default(72),
  /** Seconds between the signed heartbeats sent to each active partner. */
  CARAVAN_FEDERATION_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** The node's Ed25519 private key (core/identity/node-identity.ts); else a key file. */
  CARAVAN_NODE_KEY: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v : undefined)),
  /** Port of the embedded PostgreSQL, used only when DATABASE_URL is unset. */
  CARAVAN_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54_329),
  /** Requests per minute per organisation (all its keys), and per address without a key. */
  CARAVAN_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  /** Self-registrations (`POST /v1/shippers`, `/v1/carriers`) per client address per hour. */
  CARAVAN_REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Proxies whose `X-Forwarded-For`/`-Proto` are believed; none by default. */
  CARAVAN_TRUSTED_PROXIES: cidrList,
  /** Private ranges outgoing requests (webhooks) may reach; none by default. */
  CARAVAN_EGRESS_ALLOW: cidrList,
  CARAVAN_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  /** Connections of each process's query pool (the API and the workers' queries). */
  CARAVAN_DB_POOL: z.coerce.number().int().min(2).max(200).default(20),
  /**
   * Connections of each queue's and each worker's pool when the queues run on PostgreSQL (no
   * REDIS_URL); the README's "Scaling" adds up what a process holds.
   */
  CARAVAN_QUEUE_POOL: z.coerce.number().int().min(1).max(50).default(4),
  /** HTTP processes on Node's cluster module: a number, or `auto` for one per core. */
  CARAVAN_PROCESSES: z
    .union(
      [
        z.literal("auto"),
        z.coerce.number().int(PROCESSES_RULE).min(1, PROCESSES_RULE).max(256, PROCESSES_RULE),
      ],
      { error: PROCESSES_RULE },
    )
    .default(1)
    .transform((v) => (v === "auto" ? availableParallelism() : v)),
  CARAVAN_WORKERS: z
    .enum(["on", "off"])
    .default("on")
    .transform((v) => v === "on"),
  /** k of report suppression: cells with fewer distinct shippers or carriers are hidden. */
  CARAVAN_REPORT_MIN_PARTIES: z.coerce
    .number()
    .int()
    .min(3, "must be at least 3: k may only be raised")
    .max(16, "must be at most 16: report cells count up to 16 distinct parties")
    .default(3),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once at start-up; nothing else reads `process.env`. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  if (parsed.data.CARAVAN_PROCESSES > 1 && !parsed.data.DATABASE_URL) {
    throw new ConfigError(
      "Invalid configuration:\n  CARAVAN_PROCESSES: more than one process needs DATABASE_URL: the embedded PostgreSQL serves a single process",
    );
  }
  return parsed.data;
}
