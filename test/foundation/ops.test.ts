import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerCarrier, shipperBody } from "../support/fixtures";

const node = await createTestNode({ rateLimitPerMinute: 30, bodyLimitBytes: 4096 });

describe("operations", () => {
  it("answers liveness and readiness", async () => {
    expect((await node.call("GET", "/health")).body).toEqual({ status: "ok" });
    const ready = await node.call("GET", "/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: true, queue: true });
  });

  it("exports Prometheus metrics by route and status", async () => {
    await node.call("GET", "/health");
    const res = await node.call("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    expect(res.body).toMatch(/caravan_http_requests_total\{[^}]*route="\/health"[^}]*status="200"/);
    expect(res.body).toMatch(/caravan_http_request_duration_seconds_bucket/);
  });

  it("serves a valid OpenAPI 3.1 document with every route and its errors", async () => {
    const res = await node.call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const validator = new Validator();
    const verdict = await validator.validate(res.body);
    expect(verdict.errors ?? [], JSON.stringify(verdict.errors)).toEqual([]);
    expect(verdict.valid).toBe(true);
    for (const path of [
      "/v1/shippers",
      "/v1/carriers",
      "/v1/carriers/{id}/vehicles",
      "/v1/audit/verify",
      "/v1/api-keys",
    ]) {
      expect(res.body.paths[path], path).toBeDefined();
    }
    const post = res.body.paths["/v1/carriers/{id}/vehicles"].post;
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "404"]),
    );
    expect(post.requestBody.content["application/json"].schema).toBeDefined();
  });

  it("serves the interactive reference", async () => {
    const res = await node.call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain("/openapi.json");
  });
});

describe("request hygiene", () => {
  it("puts a request id on every response, echoing a sane client one", async () => {
    const a = await node.call("GET", "/health");
    expect(a.headers.get("x-request-id")).toMatch(/^req_/);
    const b = await node.call("GET", "/nope", { headers: { "x-request-id": "client-abc-123" } });
    expect(b.status).toBe(404);
    expect(b.headers.get("x-request-id")).toBe("client-abc-123");
    expect(b.body.error.requestId).toBe("client-abc-123");
  });

  it("answers malformed JSON with 400 naming the body", async () => {
    const res = await node.call("POST", "/v1/shippers", { rawBody: '{"name": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BAD_REQUEST");
    expect(res.body.error.details[0].path).toBe("body");
  });

  it("refuses oversized bodies with 413", async () => {
    const res = await node.call("POST", "/v1/shippers", {
      body: shipperBody({ name: "x".repeat(10_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses a declared oversized body from its Content-Length alone", async () => {
    const body = JSON.stringify(shipperBody({ name: "y".repeat(9_000) }));
    const res = await node.call("POST", "/v1/shippers", {
      rawBody: body,
      headers: { "content-length": String(Buffer.byteLength(body)) },
    });
    expect(res.status).toBe(413);
    const small = JSON.stringify(shipperBody());
    const ok = await node.call("POST", "/v1/shippers", {
      rawBody: small,
      headers: { "content-length": String(Buffer.byteLength(small)) },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it("rate-limits per organisation with Retry-After", async () => {
    const c = await registerCarrier(node);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const res = await node.call("GET", `/v1/carriers/${c.id}`, { key: c.key });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(25);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another organisation has its own budget.
    expect((await node.call("GET", "/v1/orgs", { key: node.adminKey })).status).toBe(200);
  });
});
