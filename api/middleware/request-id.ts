import { createMiddleware } from "hono/factory";
import { randomBytesPooled } from "../../core/ids";
import type { AppEnv } from "../env";

const INCOMING = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every response carries `x-request-id`; a sane incoming one is kept for tracing across nodes. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id =
    incoming && INCOMING.test(incoming)
      ? incoming
      : `req_${randomBytesPooled(9).toString("base64url")}`;
  c.set("requestId", id);
  c.header("x-request-id", id);
  await next();
});
