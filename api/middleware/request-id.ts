import type { ServerResponse } from "node:http";
import { createMiddleware } from "hono/factory";
import { randomBytesPooled } from "../../core/ids";
import type { AppEnv } from "../env";

const INCOMING = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every response carries `x-request-id`; a sane incoming one is kept for tracing across nodes.
 * Served over HTTP, the header goes straight onto Node's response, which merges it into every
 * answer (errors and streams included); hono's `c.header` would make each answer carry a
 * Headers object and cost the adapter its plain-object fast path. In-process requests
 * (tests) have no Node response and get it through hono.
 */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id =
    incoming && INCOMING.test(incoming)
      ? incoming
      : `req_${randomBytesPooled(9).toString("base64url")}`;
  c.set("requestId", id);
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing) outgoing.setHeader("x-request-id", id);
  else c.header("x-request-id", id);
  await next();
});
