import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { DomainError, FieldIssue } from "../core/errors";

export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "UNPROCESSABLE_ENTITY",
  "NO_ROUTE",
  "TOO_MANY_REQUESTS",
  "INTERNAL_SERVER_ERROR",
  "SERVICE_UNAVAILABLE",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "BAD_REQUEST":
      return 400;
    case "UNAUTHORIZED":
      return 401;
    case "FORBIDDEN":
      return 403;
    case "NOT_FOUND":
      return 404;
    case "METHOD_NOT_ALLOWED":
      return 405;
    case "CONFLICT":
      return 409;
    case "PAYLOAD_TOO_LARGE":
      return 413;
    case "UNSUPPORTED_MEDIA_TYPE":
      return 415;
    case "UNPROCESSABLE_ENTITY":
    case "NO_ROUTE":
      return 422;
    case "TOO_MANY_REQUESTS":
      return 429;
    case "INTERNAL_SERVER_ERROR":
      return 500;
    case "SERVICE_UNAVAILABLE":
      return 503;
  }
}

export function codeOfDomainError(e: DomainError): ErrorCode {
  switch (e.kind) {
    case "validation":
      return "BAD_REQUEST";
    case "unauthorized":
      return "UNAUTHORIZED";
    case "forbidden":
      return "FORBIDDEN";
    case "not_found":
      return "NOT_FOUND";
    case "conflict":
      return "CONFLICT";
    case "unprocessable":
      return e.reason === "NO_ROUTE" ? "NO_ROUTE" : "UNPROCESSABLE_ENTITY";
  }
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({ example: "BAD_REQUEST" }),
      message: z.string().openapi({ example: "cargo.weightKg: must be > 0" }),
      requestId: z.string().openapi({ example: "req_01J9Z8Q3W4" }),
      reason: z.string().optional().openapi({ description: "Machine-readable cause, if any" }),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  })
  .openapi("Error");

export type ErrorBody = z.infer<typeof ErrorSchema>;

export function errorBody(
  c: Context,
  code: ErrorCode,
  message: string,
  details: FieldIssue[] = [],
  reason?: string,
): ErrorBody {
  const requestId = c.get("requestId") ?? c.res.headers.get("x-request-id") ?? "";
  return { error: { code, message, requestId, ...(reason ? { reason } : {}), details } };
}

export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  details: FieldIssue[] = [],
  reason?: string,
): Response {
  return c.json(errorBody(c, code, message, details, reason), statusOf(code));
}

/** Names each bad field by its dotted path; unknown keys are named one by one. */
export function zodIssues(error: ZodError, prefix = ""): FieldIssue[] {
  const join = (parts: PropertyKey[]) =>
    [prefix, ...parts.map(String)].filter((p) => p !== "").join(".") || "body";
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        out.push({ path: join([...issue.path, key]), message: "unknown field" });
    } else {
      out.push({ path: join(issue.path), message: issue.message });
    }
  }
  return out;
}

const json = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

/** Spread into every route's `responses`. */
export const errorResponses = {
  400: json("Malformed request: the details name each bad field"),
  401: json("Missing, unknown or revoked API key"),
  403: json("The key's role may not do this"),
  404: json("Not found, or not visible to this organisation"),
  409: json("Conflicts with the current state"),
  413: json("Request body too large"),
  422: json("Well-formed but refused by a rule"),
  429: json("Rate limit exceeded; see Retry-After"),
  500: json("Unexpected server error"),
} as const;
