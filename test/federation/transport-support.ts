import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, expect } from "vitest";
import type { NodeIdentity } from "../../core/identity/node-identity";
import { createTestNode, type TestNode } from "../support/app";
import { createTestDatabase } from "../support/db";
import { type QueueBackendCase, type RunningTestWorkers, testWorkers } from "../support/queues";

/** What a node's inbox received, as it came over the wire. */
export interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A fault the inbox shows its caller instead of the node's answer (none by default). */
export interface InboxFault {
  status: number | null;
  /** Applies the batch, then holds the answer this long: a partner slower than the sender. */
  delayMs?: number | null;
}

export interface ServedNode {
  node: TestNode;
  url: string;
  inbox: Received[];
  fault: InboxFault;
  workers: RunningTestWorkers;
  /** Closes the node's HTTP server (connections are refused), keeping the node and its workers. */
  down(): Promise<void>;
  /** Serves the node again on the same port. */
  up(): Promise<void>;
}

type NodeServer = ReturnType<typeof serve>;

/** The node's app on `port` (0: any), its inbox recording requests and showing `fault`. */
async function listen(
  node: TestNode,
  port: number,
  inbox: Received[],
  fault: InboxFault,
): Promise<NodeServer> {
  const server = serve({
    hostname: "127.0.0.1",
    port,
    fetch: async (req: Request) => {
      if (new URL(req.url).pathname !== "/v1/federation/inbox") return node.app.fetch(req);
      const body = await req.clone().text();
      inbox.push({ headers: Object.fromEntries(req.headers.entries()), body });
      if (fault.status !== null) return new Response("{}", { status: fault.status });
      // Read before the batch is applied, so clearing the fault spares only later batches.
      const delayMs = fault.delayMs ?? 0;
      const answer = await node.app.fetch(req);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return answer;
    },
  });
  await new Promise<void>((ok) => server.once("listening", () => ok()));
  return server;
}

function close(server: NodeServer): Promise<void> {
  return new Promise<void>((ok) => {
    server.close(() => ok());
    // Keep-alive sockets would hold a closed server open: end them too.
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}

/**
 * A node with its own database and workers, served over HTTP on a loopback port. Its inbox
 * keeps every request it was sent, and answers `fault.status` instead when it is set.
 */
export async function servedNode(
  code: string,
  backend: QueueBackendCase,
  opts: { pool?: number } = {},
): Promise<ServedNode> {
  const workers = testWorkers(backend);
  const node = await createTestNode({
    database: await createTestDatabase({ max: opts.pool ?? 4 }),
    nodeCode: code,
    egressAllow: "127.0.0.0/8",
    jobs: workers.jobs,
    logger: (await import("pino")).default(
      { level: "error" },
      { write: (s: string) => console.log(s) },
    ),
  });
  const inbox: Received[] = [];
  const fault: InboxFault = { status: null };
  let server: NodeServer | null = await listen(node, 0, inbox, fault);
  const { port } = server.address() as AddressInfo;
  const running = await workers.start(node);
  afterAll(async () => {
    await running.stop();
    if (server) await close(server);
  });
  return {
    node,
    url: `http://127.0.0.1:${port}`,
    inbox,
    fault,
    workers: running,
    async down() {
      if (server) await close(server);
      server = null;
    },
    async up() {
      server ??= await listen(node, port, inbox, fault);
    },
  };
}

/** `at` registers `other`, reached at `otherUrl`, from its `/.well-known/caravan-node`. */
export async function registerPartnerAt(
  at: { url: string; adminKey: string },
  otherUrl: string,
  agreement: { countries: string[]; regions: string[] },
): Promise<void> {
  const described = (await (await fetch(`${otherUrl}/.well-known/caravan-node`)).json()) as {
    code: string;
    name: string;
    kind: string;
    jwks: unknown;
  };
  const res = await fetch(`${at.url}/v1/partners`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${at.adminKey}` },
    body: JSON.stringify({
      code: described.code,
      name: described.name,
      kind: described.kind,
      baseUrl: otherUrl,
      jwks: described.jwks,
      agreement: { ...agreement, recordTypes: ["waybill", "event"], maxClassification: "internal" },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** `at` registers `other` from its `/.well-known/caravan-node`, under this agreement. */
export function registerPartner(
  at: ServedNode,
  other: ServedNode,
  agreement: { countries: string[]; regions: string[] },
): Promise<void> {
  return registerPartnerAt({ url: at.url, adminKey: at.node.adminKey }, other.url, agreement);
}

/** A batch signed as a node signs it, for posting to an inbox by hand. */
export function signedHeaders(
  identity: NodeIdentity,
  body: string,
  opts: { id?: string; timestamp?: number } = {},
): Record<string, string> {
  const id = opts.id ?? `fb_test_${Math.random().toString(36).slice(2)}`;
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = identity
    .signBytes(Buffer.from(`${id}.${timestamp}.${body}`))
    .toString("base64");
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1a,${signature}`,
  };
}
