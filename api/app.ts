import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { DomainError } from "../core/errors";
import { registerRegulatorDashboard } from "./dashboard/regulators";
import { registerDocs } from "./docs/reference";
import type { App, AppDeps, AppEnv } from "./env";
import { codeOfDomainError, errorResponse, zodIssues } from "./errors";
import { accessRecord } from "./middleware/access-record";
import { authenticate } from "./middleware/auth";
import { bodyLimit } from "./middleware/body-limit";
import { idempotency } from "./middleware/idempotency";
import { observe } from "./middleware/observe";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { standing } from "./middleware/standing";
import { registerRoutes } from "./routes";

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, text it cannot
 * encode, a malformed JSON escape) and an index row too large (54000) mean the request
 * carried a value that cannot be stored: the client's fault, whatever slipped past validation.
 */
const isBadValue = (code: string) => code.startsWith("22") || code === "54000";

/**
 * The database (or a replica) could not be reached or dropped the connection: postgres.js's
 * own codes, the socket's, and SQLSTATE connection exceptions (08), shutdowns (57P01–57P03)
 * and too many connections (53300). The request may succeed when retried: a 503, not a 500.
 */
const UNREACHABLE = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);
const isUnreachable = (code: string) => code.startsWith("08") || UNREACHABLE.has(code);

function pgCode(e: unknown): string | undefined {
  const cause = e instanceof Error && "cause" in e ? e.cause : e;
  return typeof cause === "object" && cause !== null && "code" in cause
    ? String(cause.code)
    : undefined;
}

/** `/openapi.json`: every route registered so far, under the bearer key scheme. */
function documentApi(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An organisation's API key: `Authorization: Bearer cvn_…`",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Caravan node API",
      version: "1.0.0",
      description:
        "Integrated logistics information platform node: participants and API keys, freight marketplace, waybills and tracking, multimodal routing, audit trail.",
    },
    servers: [{ url: "/" }],
  });
}

/** Every error not answered by a route, in the one envelope; a 500 only for the unexpected. */
function answerError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof DomainError) {
    const code = codeOfDomainError(err);
    return errorResponse(c, code, err.message, err.details, err.reason);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 400) {
      return errorResponse(c, "BAD_REQUEST", err.message || "malformed request", [
        { path: "body", message: err.message || "malformed request" },
      ]);
    }
    if (status === 413) return errorResponse(c, "PAYLOAD_TOO_LARGE", err.message);
    if (status === 415) return errorResponse(c, "UNSUPPORTED_MEDIA_TYPE", err.message);
    if (status === 401) return errorResponse(c, "UNAUTHORIZED", err.message);
  }
  const code = pgCode(err);
  if (code && isBadValue(code)) {
    c.get("deps")?.logger.warn(
      { code, requestId: c.get("requestId") },
      "a value passed validation but not the database",
    );
    return errorResponse(c, "BAD_REQUEST", "request contains a value that cannot be stored");
  }
  if (code && isUnreachable(code)) {
    c.get("deps")?.logger.warn({ code, requestId: c.get("requestId") }, "database unreachable");
    c.header("Retry-After", "1");
    return errorResponse(c, "SERVICE_UNAVAILABLE", "the database is unreachable; retry shortly");
  }
  c.get("deps")?.logger.error({ err, requestId: c.get("requestId") }, "unhandled error");
  return errorResponse(c, "INTERNAL_SERVER_ERROR", "unexpected error; quote the request id");
}

/** The one app factory: the server and the tests build the same app. */
export function newApp(deps: AppDeps): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const target = result.target === "json" ? "" : result.target;
        const details = zodIssues(result.error, target === "param" ? "" : target);
        const first = details[0];
        return errorResponse(
          c,
          "BAD_REQUEST",
          first ? `${first.path}: ${first.message}` : "invalid request",
          details,
        );
      }
    },
  });

  app.use("*", requestId);
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  app.use("*", observe);
  app.use("*", bodyLimit(deps.bodyLimitBytes));
  app.use("*", authenticate);
  app.use("/v1/*", rateLimit);
  app.use("/v1/*", standing);
  app.use("/v1/*", idempotency);
  app.use("/v1/*", accessRecord);

  registerRoutes(app);
  registerRegulatorDashboard(app);
  deps.mount?.(app);

  documentApi(app);
  registerDocs(app);

  app.notFound((c) => errorResponse(c, "NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`));

  app.onError(answerError);

  return app;
}
