import type postgres from "postgres";
import { expect } from "vitest";
import { loadBody } from "../marketplace/support";
import { carrierBody, shipperBody } from "../support/fixtures";

/** A node as the fault tests reach it: over HTTP, and its database beside it. */
export interface Reachable {
  url: string;
  adminKey: string;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(
  url: string,
  key: string | null,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A verified organisation registered over HTTP: its id and API key. */
async function verified(at: Reachable, path: string, body: unknown) {
  const reg = await post(`${at.url}${path}`, null, body);
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const { apiKey, organization } = reg.body as { apiKey: string; organization: { id: string } };
  const ok = await post(`${at.url}/v1/orgs/${organization.id}/verify`, at.adminKey, {});
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  return { id: organization.id, key: apiKey };
}

export interface Parties {
  shipperKey: string;
  carrierId: string;
  carrierKey: string;
}

export async function parties(at: Reachable): Promise<Parties> {
  const shipper = await verified(at, "/v1/shippers", shipperBody());
  const carrier = await verified(at, "/v1/carriers", carrierBody());
  return { shipperKey: shipper.key, carrierId: carrier.id, carrierKey: carrier.key };
}

/**
 * Issues a waybill Urumqi → Almaty and records its pickup: three outbox rows for KZ (the
 * waybill, its `created` and its `picked_up` events). Returns its number once both are 201.
 */
export async function shipToAlmaty(at: Reachable, p: Parties): Promise<string> {
  const now = Date.now();
  const issued = await post(`${at.url}/v1/waybills`, p.shipperKey, {
    carrierId: p.carrierId,
    origin: "CN-URC",
    destination: "KZ-ALA",
    cargo: loadBody().cargo,
    price: { amount: 18_000, currency: "CNY" },
    mode: "rail",
    pickupAt: new Date(now - 3_600_000).toISOString(),
    deliveryAt: new Date(now + 86_400_000).toISOString(),
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const number = issued.body.number as string;
  const picked = await post(`${at.url}/v1/waybills/${number}/events`, p.carrierKey, {
    type: "picked_up",
    occurredAt: new Date().toISOString(),
  });
  expect(picked.status, JSON.stringify(picked.body)).toBe(201);
  return number;
}

/** Ships to Almaty every `everyMs` until `stop()`; the numbers acknowledged are kept. */
export function keepShipping(at: Reachable, p: Parties, everyMs: number) {
  const numbers: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      numbers.push(await shipToAlmaty(at, p));
      await sleep(everyMs);
    }
  })();
  return {
    numbers,
    async stop() {
      running = false;
      await loop;
    },
  };
}

type Sql = postgres.Sql;

/**
 * Whether `to` holds exactly what `from` shared with it: every outbox row for `to` delivered,
 * one inbox row per outbox row (by message id), and the same status and event set for each
 * waybill shared.
 */
export async function converged(
  from: { code: string; sql: Sql },
  to: { code: string; sql: Sql },
): Promise<boolean> {
  const rows = await from.sql<{ id: string; status: string; waybill_number: string }[]>`
    select id, status, waybill_number from federation_outbox where partner = ${to.code}`;
  if (rows.length === 0 || rows.some((r) => r.status !== "delivered")) return false;
  const applied = await to.sql<{ message_id: string }[]>`
    select message_id from federation_inbox where sender = ${from.code} order by message_id`;
  const sent = rows.map((r) => `${from.code}:${r.id}`).sort();
  if (JSON.stringify(applied.map((a) => a.message_id)) !== JSON.stringify(sent)) return false;
  const numbers = [...new Set(rows.map((r) => r.waybill_number))];
  const state = (sql: Sql) => sql`
    select w.number, w.status, e.type, e.fingerprint
      from waybills w join waybill_events e on e.waybill_number = w.number
     where w.number in ${sql(numbers)} order by w.number, e.fingerprint`;
  const [here, there] = await Promise.all([state(from.sql), state(to.sql)]);
  return JSON.stringify(here) === JSON.stringify(there);
}

/** Each event applied once at the receiver (per fingerprint), and every number there. */
export async function expectAppliedOnce(to: Sql, numbers: readonly string[]): Promise<void> {
  const twice = await to`
    select waybill_number, fingerprint from waybill_events
     group by waybill_number, fingerprint having count(*) > 1`;
  expect(twice).toEqual([]);
  const [held] = await to<{ n: number }[]>`
    select count(*)::int as n from waybills where number in ${to(numbers as string[])}`;
  expect(held?.n).toBe(numbers.length);
  const [events] = await to<{ n: number }[]>`
    select count(*)::int as n from waybill_events where waybill_number in ${to(numbers as string[])}`;
  // `created` and `picked_up` for each.
  expect(events?.n).toBe(numbers.length * 2);
}
