import { generateKeyPairSync } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { generateNodeKey, nodeIdentity } from "../../core/identity/node-identity";
import { refreshAllReports } from "../../core/reports/refresh";
import { type Bidder, carrierWithTruck, loadBody } from "../marketplace/support";
import { createRegulator, type Registered, registerShipper } from "../support/fixtures";
import { queueBackends } from "../support/queues";
import { eventually } from "./support";
import { registerPartner, type ServedNode, servedNode, signedHeaders } from "./transport-support";

const today = new Date().toISOString().slice(0, 10);
const at = (m: number) => new Date(Date.UTC(2030, 0, 1, 0, m)).toISOString();
const cargo = loadBody().cargo;
const QUERY = `from=${today}&to=${today}&granularity=day&level=province`;
const PARTNER_PATH = `/v1/federation/reports/flows?${QUERY}`;

type Row = Record<string, unknown>;
type NodeAnswer = { code: string; answered: boolean; reason?: string; generatedAt?: string };

/** Three shippers and three carriers at `node`, one Urumqi → Almaty waybill each: one cell. */
async function publishedFlows(served: ServedNode, amount: number): Promise<string[]> {
  const { node } = served;
  const numbers: string[] = [];
  for (let i = 0; i < 3; i++) {
    const shipper: Registered = await registerShipper(node);
    const carrier: Bidder = await carrierWithTruck(node);
    const res = await node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: {
        carrierId: carrier.id,
        origin: "CN-URC",
        destination: "KZ-ALA",
        cargo,
        price: { amount: amount * (i + 1), currency: "CNY" },
        mode: "road",
        pickupAt: at(0),
        deliveryAt: at(3000),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    numbers.push(res.body.number as string);
  }
  // The node's own refresh job may hold some of them: wait until the cell shows all three.
  const published = async () => {
    await refreshAllReports(systemCtxFactory(node.parts)("test"));
    const res = await node.call("GET", `/v1/reports/flows?${QUERY}`, { key: node.adminKey });
    return (res.body.rows as Row[]).some((r) => r.destination === "KZ" && r.waybills === 3);
  };
  expect(await eventually(published, 15_000)).toBe(true);
  return numbers;
}

/** A TCP server that accepts and never answers: a partner that hangs. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

// XJ and KZ each publish Urumqi → Almaty by road; XJ's regulator sees both nodes' figures
// combined, and KZ only ever sends sums over its published cells.
const [postgresQueue] = queueBackends();
describe.each(postgresQueue ? [postgresQueue] : [])("federated reports on $name", (backend) => {
  describe("XJ and KZ", async () => {
    const xj = await servedNode("XJ", backend);
    const kz = await servedNode("KZ", backend);
    await registerPartner(xj, kz, { countries: ["KZ"], regions: [] });
    await registerPartner(kz, xj, { countries: ["CN"], regions: [] });
    const regulator = await createRegulator(xj.node);
    const xjNumbers = await publishedFlows(xj, 10_000);
    const kzNumbers = await publishedFlows(kz, 1_000);

    const report = (name: string, scope: "local" | "federation") =>
      xj.node.call("GET", `/v1/reports/${name}?${QUERY}&scope=${scope}&lang=en`, {
        key: regulator.key,
      });
    const kzLocal = async (name: string) =>
      (
        await kz.node.call("GET", `/v1/reports/${name}?${QUERY}&lang=en`, {
          key: kz.node.adminKey,
        })
      ).body;
    const urcToKz = (rows: Row[]) =>
      rows.find((r) => r.origin === "650000" && r.destination === "KZ");
    const partnerReport = (headers: Record<string, string>) =>
      fetch(`${kz.url}${PARTNER_PATH}`, { headers });
    const signedByXj = () => ({
      ...signedHeaders(xj.node.identity, PARTNER_PATH),
      "caravan-node": "XJ",
    });

    describe("happy path", () => {
      it("combines XJ's own figures with KZ's: the sum of both local reports", async () => {
        const local = (await report("flows", "local")).body;
        const remote = await kzLocal("flows");
        const res = await report("flows", "federation");
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.scope).toBe("federation");
        const mine = urcToKz(local.rows) as Row;
        const theirs = urcToKz(remote.rows) as Row;
        expect(mine.waybills).toBe(3);
        expect(theirs.waybills).toBe(3);
        expect(urcToKz(res.body.rows)).toMatchObject({
          originName: "Xinjiang",
          waybills: 6,
          tonnes: Number(mine.tonnes) + Number(theirs.tonnes),
          valueCny: 60_000 + 6_000,
          suppressed: 0,
        });
        expect(res.body.totals.waybills).toBe(local.totals.waybills + remote.totals.waybills);
        const nodes = res.body.nodes as NodeAnswer[];
        expect(nodes.map((n) => [n.code, n.answered])).toEqual([
          ["XJ", true],
          ["KZ", true],
        ]);
        expect(nodes[1]).toMatchObject({ freshness: { dirty: expect.any(Number) } });
        expect(Date.parse(String(nodes[1]?.generatedAt))).not.toBeNaN();
      });

      it("records the regulator's combined read in XJ's access log", async () => {
        const log = await xj.node.call("GET", "/v1/access-log?limit=50", { key: xj.node.adminKey });
        expect(log.status, JSON.stringify(log.body)).toBe(200);
        expect(log.body.items).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              actorOrgId: regulator.id,
              entityId: "flows",
              filters: expect.objectContaining({ scope: "federation" }),
            }),
          ]),
        );
      });

      it("records XJ's read of its parts in KZ's access log, naming the partner", async () => {
        const log = await kz.node.call("GET", "/v1/access-log?limit=50", { key: kz.node.adminKey });
        expect(log.status, JSON.stringify(log.body)).toBe(200);
        expect(log.body.items).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              actorOrgId: null,
              partner: "XJ",
              route: "GET /v1/federation/reports/flows",
              entityId: "flows",
              filters: expect.objectContaining({ granularity: expect.any(String) }),
            }),
          ]),
        );
      });

      it("recomputes rates from summed parts rather than adding rates", async () => {
        const res = await report("prices", "federation");
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const local = (await report("prices", "local")).body.rows[0] as Row;
        const remote = (await kzLocal("prices")).rows[0] as Row;
        const combined = res.body.rows[0] as Row;
        const [a, b, c] = [local, remote, combined].map((r) => Number(r.rateCnyPerTonneKm));
        // Same tonne-km at each node: the combined rate is their mean, never their sum. Each
        // answer is rounded to 3 decimals, so the mean of two rounded rates may differ from the
        // rounded combined one by up to 0.001.
        expect(Math.abs((c as number) - ((a as number) + (b as number)) / 2)).toBeLessThanOrEqual(
          0.001 + 1e-9,
        );
      });

      it.each(["corridors", "modal-split", "border-ports", "performance", "emissions", "carec"])(
        "answers %s combined",
        async (name) => {
          const res = await report(name, "federation");
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect((res.body.nodes as NodeAnswer[]).every((n) => n.answered)).toBe(true);
        },
      );
    });

    describe("what crosses the boundary", () => {
      it("is sums over published cells only: no organisation, waybill or price per record", async () => {
        const res = await partnerReport(signedByXj());
        const text = await res.text();
        expect(res.status, text).toBe(200);
        const body = JSON.parse(text) as Record<string, unknown> & { parts: Row[] };
        expect(Object.keys(body).sort()).toEqual(
          [
            "freshness",
            "from",
            "generatedAt",
            "k",
            "parts",
            "protocolVersion",
            "report",
            "to",
          ].sort(),
        );
        expect(body).toMatchObject({ from: "KZ", to: "XJ", report: "flows", k: 3 });
        for (const part of body.parts) {
          expect(
            Object.keys(part).every((k) =>
              ["table", "key", "sums", "hists", "suppressed"].includes(k),
            ),
          ).toBe(true);
          expect(
            Object.keys(part.key as Row).every((k) => ["period", "o_area", "d_area"].includes(k)),
          ).toBe(true);
        }
        expect(body.parts[0]?.sums).toMatchObject({ waybills: 3, value_cny: 6_000 });
        const ids = await kz.node.database.sql`select id from organizations`;
        for (const { id } of ids) expect(text).not.toContain(id);
        for (const no of [...kzNumbers, ...xjNumbers]) expect(text).not.toContain(no);
        expect(text).not.toMatch(/shipper|carrier|number|priceAmount|price_amount/i);
      });
    });

    describe("security", () => {
      it("refuses an unsigned request, a stranger's signature and one over another query", async () => {
        expect((await partnerReport({ "caravan-node": "XJ" })).status).toBe(401);
        const stranger = await nodeIdentity(generateNodeKey());
        const forged = { ...signedHeaders(stranger, PARTNER_PATH), "caravan-node": "XJ" };
        expect((await partnerReport(forged)).status).toBe(401);
        const other = {
          ...signedHeaders(xj.node.identity, "/v1/federation/reports/flows"),
          "caravan-node": "XJ",
        };
        expect((await partnerReport(other)).status).toBe(401);
        const stale = {
          ...signedHeaders(xj.node.identity, PARTNER_PATH, {
            timestamp: Math.floor(Date.now() / 1000) - 10 * 60,
          }),
          "caravan-node": "XJ",
        };
        expect((await partnerReport(stale)).status).toBe(401);
      });

      it("refuses a suspended partner, which XJ's report then lists as missing", async () => {
        const s = await kz.node.call("POST", "/v1/partners/XJ/suspend", { key: kz.node.adminKey });
        expect(s.status, JSON.stringify(s.body)).toBe(200);
        try {
          expect((await partnerReport(signedByXj())).status).toBe(401);
          const res = await report("flows", "federation");
          expect(res.status).toBe(200);
          expect(res.body.nodes[1]).toMatchObject({ code: "KZ", answered: false });
          expect(urcToKz(res.body.rows)).toMatchObject({ waybills: 3 });
        } finally {
          await kz.node.call("POST", "/v1/partners/XJ/resume", { key: kz.node.adminKey });
        }
      });

      it("refuses a partner whose agreement shares no record types", async () => {
        const patch = (recordTypes: string[]) =>
          kz.node.call("PATCH", "/v1/partners/XJ", {
            key: kz.node.adminKey,
            body: { agreement: { recordTypes } },
          });
        expect((await patch([])).status).toBe(200);
        try {
          const res = await partnerReport(signedByXj());
          expect(res.status).toBe(403);
          const combined = await report("flows", "federation");
          expect(combined.body.nodes[1]).toMatchObject({
            code: "KZ",
            answered: false,
            reason: "answered 403",
          });
        } finally {
          expect((await patch(["waybill", "event"])).status).toBe(200);
        }
      });

      it("needs an API key of a regulator or admin for the combined report", async () => {
        const res = await xj.node.call("GET", `/v1/reports/flows?${QUERY}&scope=federation`);
        expect(res.status).toBe(401);
      });
    });

    describe("partners that do not answer", () => {
      it("lists a stopped partner as missing and answers with the rest", async () => {
        await kz.down();
        try {
          const res = await report("flows", "federation");
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect(res.body.nodes).toEqual([
            expect.objectContaining({ code: "XJ", answered: true }),
            expect.objectContaining({ code: "KZ", answered: false, reason: expect.any(String) }),
          ]);
          expect(urcToKz(res.body.rows)).toMatchObject({ waybills: 3 });
        } finally {
          await kz.up();
        }
      });

      it("gives up on a partner that hangs after the timeout", async () => {
        const hole = await blackHole();
        afterAll(() => hole.close());
        const { publicKey } = generateKeyPairSync("ed25519");
        const jwk = publicKey.export({ format: "jwk" });
        const added = await xj.node.call("POST", "/v1/partners", {
          key: xj.node.adminKey,
          body: {
            code: "GS",
            name: "Gansu",
            kind: "regional",
            baseUrl: hole.url,
            jwks: { keys: [{ kty: "OKP", crv: "Ed25519", x: jwk.x }] },
            agreement: {
              countries: [],
              regions: ["62"],
              recordTypes: ["waybill"],
              maxClassification: "public",
            },
          },
        });
        expect(added.status, JSON.stringify(added.body)).toBe(201);
        const started = Date.now();
        const res = await report("flows", "federation");
        const took = Date.now() - started;
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(took).toBeGreaterThanOrEqual(2_900);
        expect(took).toBeLessThan(6_000);
        const nodes = res.body.nodes as NodeAnswer[];
        expect(nodes.find((n) => n.code === "GS")).toMatchObject({
          answered: false,
          reason: "no answer within 3000 ms",
        });
        expect(nodes.find((n) => n.code === "KZ")).toMatchObject({ answered: true });
        expect(urcToKz(res.body.rows)).toMatchObject({ waybills: 6 });
      });
    });
  });
});
