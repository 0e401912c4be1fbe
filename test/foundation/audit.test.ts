import { describe, expect, it } from "vitest";
import { sealAuditLog } from "../../core/audit/seal";
import { createTestNode } from "../support/app";
import {
  createRegulator,
  registerCarrier,
  registerShipper,
  vehicleBody,
} from "../support/fixtures";

const node = await createTestNode();

describe("audit chain", () => {
  it("records every registry change and verifies", async () => {
    const before = (await node.call("GET", "/v1/audit/verify", { key: node.adminKey })).body
      .entries;
    const c = await registerCarrier(node); // registered + verified
    await node.call("POST", `/v1/carriers/${c.id}/vehicles`, { key: c.key, body: vehicleBody() });
    const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, firstBadEntry: null });
    expect(res.body.entries).toBeGreaterThanOrEqual(before + 3);
    const actions = await node.database.sql<{ action: string }[]>`
      select action from audit_log where entity_id = ${c.id} order by id`;
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(["organization.registered", "organization.verified"]),
    );
  });

  it("lets regulators verify the chain", async () => {
    const r = await createRegulator(node);
    const res = await node.call("GET", "/v1/audit/verify", { key: r.key });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
  });

  it("never forks under concurrent writes", async () => {
    await Promise.all(Array.from({ length: 40 }, () => registerShipper(node, { verify: false })));
    const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(res.body).toMatchObject({ ok: true, firstBadEntry: null });
    const [gaps] = await node.database.sql<{ n: number; max: number }[]>`
      select count(*)::int as n, max(seq)::int as max from audit_log`;
    expect(gaps?.n).toBe(gaps?.max);
  });

  it("refuses updates and deletes of past entries, sealed or not", async () => {
    const sql = node.database.sql;
    await expect(sql`update audit_log set action = 'x' where seq = 1`).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log where seq = 1`).rejects.toThrow(/append-only/);
    await registerShipper(node, { verify: false });
    const [fresh] = await sql<{ id: number }[]>`
      select id::int as id from audit_log where hash is null order by id limit 1`;
    expect(fresh).toBeDefined();
    await expect(
      sql`update audit_log set data = '{}' where id = ${fresh?.id ?? 0}`,
    ).rejects.toThrow(/append-only/);
    // Even the chaining update must leave the content as it is.
    await expect(
      sql`update audit_log set seq = 999999, prev_hash = 'x', hash = 'y', action = 'forged'
          where id = ${fresh?.id ?? 0}`,
    ).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`).rejects.toThrow(/append-only/);
  });

  it("chains every entry exactly once when several sealers race", async () => {
    const writes = Array.from({ length: 30 }, () => registerShipper(node, { verify: false }));
    const sealers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 10; i++) await sealAuditLog(node.database.db, node.identity);
    });
    await Promise.all([...writes, ...sealers]);
    const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(res.body).toMatchObject({ ok: true, firstBadEntry: null });
    const [row] = await node.database.sql<{ n: number; max: number; unsealed: number }[]>`
      select count(*)::int as n, max(seq)::int as max,
             count(*) filter (where hash is null)::int as unsealed from audit_log`;
    expect(row).toEqual({ n: row?.max, max: row?.max, unsealed: 0 });
  });

  it("names the first tampered entry", async () => {
    await registerShipper(node);
    await node.call("GET", "/v1/audit/verify", { key: node.adminKey }); // seals what is pending
    const [target] = await node.database.sql<{ seq: number }[]>`
      select seq::int as seq from audit_log order by seq offset 3 limit 1`;
    const seq = target?.seq ?? 0;
    // A superuser bypassing the trigger, as an attacker with database access would.
    await node.database.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update audit_log set data = jsonb_set(data, '{tampered}', 'true') where seq = ${seq}`;
    });
    const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(res.body.ok).toBe(false);
    expect(res.body.firstBadEntry).toMatchObject({ seq, reason: expect.stringMatching(/hash/) });
    expect(res.body.entries).toBe(seq - 1);
  });
});

describe("naming the first bad entry", () => {
  it("names an unsealed middle entry itself, not the entry after it", async () => {
    const node = await createTestNode(); // a chain of its own, unbroken so far
    await registerShipper(node);
    await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    const [target] = await node.database.sql<{ id: number; seq: number }[]>`
      select id::int as id, seq::int as seq from audit_log order by seq offset 2 limit 1`;
    const seq = target?.seq ?? 0;
    // Its seal cleared by a superuser: the sealer may chain it again, but only at the end.
    await node.database.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update audit_log set seq = null, hash = null, prev_hash = null
               where id = ${target?.id ?? 0}`;
    });
    const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(res.body.ok).toBe(false);
    expect(res.body.firstBadEntry).toEqual({
      seq,
      reason: `entry ${seq} is missing (next is ${seq + 1})`,
    });
    expect(res.body.entries).toBe(seq - 1);
  });
});
