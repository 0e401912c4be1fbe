import { randomInt } from "node:crypto";
import { expect } from "vitest";
import { CREDIT_CODE_CHARSET, creditCodeCheckChar } from "../../core/validation/credit-code";
import type { TestNode } from "./app";

/** A valid unified social credit code: enterprise (91), Urumqi division, random body. */
export function creditCode(): string {
  let body = "91650100";
  for (let i = 0; i < 9; i++) body += CREDIT_CODE_CHARSET[randomInt(CREDIT_CODE_CHARSET.length)];
  return body + creditCodeCheckChar(body);
}

export function contact() {
  return { name: "Aliya Nurlanovna", phone: "+86 991 555 0100", email: "ops@example.cn" };
}

export function shipperBody(over: Record<string, unknown> = {}) {
  return {
    name: "Urumqi Cotton Export Co.",
    country: "CN",
    creditCode: creditCode(),
    contact: contact(),
    ...over,
  };
}

export function qualifications(over: Record<string, unknown> = {}) {
  return {
    operatingLicence: { number: "XJ-ROAD-2024-0042", expiresOn: "2030-12-31" },
    insurance: {
      insurer: "PICC",
      cover: { amount: 5_000_000, currency: "CNY" },
      expiresOn: "2030-12-31",
    },
    ...over,
  };
}

export function carrierBody(over: Record<string, unknown> = {}) {
  return {
    name: "Tianshan Road & Rail Freight",
    country: "CN",
    creditCode: creditCode(),
    contact: contact(),
    modes: ["road", "rail"],
    qualifications: qualifications(),
    ...over,
  };
}

export interface Registered {
  id: string;
  key: string;
  organization: Record<string, unknown>;
}

async function register(node: TestNode, path: string, body: unknown, verify: boolean) {
  const res = await node.call("POST", path, { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id: string = res.body.organization.id;
  if (verify) {
    const v = await node.call("POST", `/v1/orgs/${id}/verify`, { key: node.adminKey });
    expect(v.status, JSON.stringify(v.body)).toBe(200);
  }
  return { id, key: res.body.apiKey as string, organization: res.body.organization };
}

export function registerShipper(
  node: TestNode,
  opts: { verify?: boolean; body?: Record<string, unknown> } = {},
): Promise<Registered> {
  return register(node, "/v1/shippers", shipperBody(opts.body), opts.verify ?? true);
}

export function registerCarrier(
  node: TestNode,
  opts: { verify?: boolean; body?: Record<string, unknown> } = {},
): Promise<Registered> {
  return register(node, "/v1/carriers", carrierBody(opts.body), opts.verify ?? true);
}

export async function createRegulator(node: TestNode): Promise<Registered> {
  const res = await node.call("POST", "/v1/orgs", {
    key: node.adminKey,
    body: {
      kind: "regulator",
      name: "Xinjiang Transport Department",
      country: "CN",
      creditCode: creditCode(),
      contact: contact(),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return {
    id: res.body.organization.id,
    key: res.body.apiKey,
    organization: res.body.organization,
  };
}

export function vehicleBody(over: Record<string, unknown> = {}) {
  return { mode: "road", plate: "新A12345", capacityKg: 25_000, capacityM3: 80, ...over };
}
