import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, expect } from "vitest";
import type { NodeIdentity } from "../../core/identity/node-identity";
import { createTestNode, type TestNode } from "../support/app";
import { type QueueBackendCase, type RunningTestWorkers, testWorkers } from "../support/queues";

/** What a node's inbox received, as it came over the wire. */
export interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A fault the inbox shows its caller instead of the node's answer (none by default). */
export interface InboxFault {
  status: number | null;
}

export interface ServedNode {
  node: TestNode;
  url: string;
  inbox: Received[];
  fault: InboxFault;
  workers: RunningTestWorkers;
}

/**
 * A node with its own database and workers, served over HTTP on a loopback port. Its inbox
 * keeps every request it was sent, and answers `fault.status` instead when it is set.
 */
export async function servedNode(code: string, backend: QueueBackendCase): Promise<ServedNode> {
  const workers = testWorkers(backend);
  const node = await createTestNode({
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
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req: Request) => {
      if (new URL(req.url).pathname === "/v1/federation/inbox") {
        const body = await req.clone().text();
        inbox.push({ headers: Object.fromEntries(req.headers.entries()), body });
        if (fault.status !== null) return new Response("{}", { status: fault.status });
      }
      return node.app.fetch(req);
    },
  });
  await new Promise<void>((ok) => server.once("listening", () => ok()));
  const { port } = server.address() as AddressInfo;
  const running = await workers.start(node);
  afterAll(async () => {
    await running.stop();
    await new Promise<void>((ok) => server.close(() => ok()));
  });
  return { node, url: `http://127.0.0.1:${port}`, inbox, fault, workers: running };
}

/** `at` registers `other` from its `/.well-known/caravan-node`, under this agreement. */
export async function registerPartner(
  at: ServedNode,
  other: ServedNode,
  agreement: { countries: string[]; regions: string[] },
): Promise<void> {
  const described = (await (await fetch(`${other.url}/.well-known/caravan-node`)).json()) as {
    code: string;
    name: string;
    kind: string;
    jwks: unknown;
  };
  const res = await at.node.call("POST", "/v1/partners", {
    key: at.node.adminKey,
    body: {
      code: described.code,
      name: described.name,
      kind: described.kind,
      baseUrl: other.url,
      jwks: described.jwks,
      agreement: { ...agreement, recordTypes: ["waybill", "event"], maxClassification: "internal" },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
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
