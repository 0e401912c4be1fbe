import { bodyLimit as streamingBodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";

/**
 * 413 for bodies over `maxBytes`. A declared Content-Length is checked from the header alone:
 * touching the request's body stream (as the streaming check must) would make the Node
 * adapter build a full web Request and lose its fast path for reading JSON. Chunked bodies,
 * which declare no length, are counted as they stream in.
 */
export function bodyLimit(maxBytes: number) {
  const tooLarge = (c: Parameters<typeof errorResponse>[0]) =>
    errorResponse(c, "PAYLOAD_TOO_LARGE", `request body exceeds ${maxBytes} bytes`);
  const streaming = streamingBodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return createMiddleware<AppEnv>(async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length, 10) > maxBytes ? tooLarge(c) : next();
    }
    return streaming(c, next);
  });
}
