import { describe, expect, it } from "vitest";
import { RoutingEngine } from "../../routing/engine";
import type { NetworkData } from "../../routing/types";
import { validateNetwork } from "../../routing/validate";
import { loadSeedNetwork } from "../../seed/network";
import { createTestNode, type TestNode } from "../support/app";
import { carrierWithTruck, loadBody, placeBid, postLoad, registerShipper } from "./support";

/** The seeded network with one hub more, and road emissions ten times the seeded factor. */
function ownNetwork(): NetworkData {
  const data = structuredClone(loadSeedNetwork());
  data.hubs.push({
    code: "KZ-TST",
    name: "Test Yard",
    nameZh: "测试货场",
    country: "KZ",
    lat: 43.9,
    lon: 77.1,
    kind: "logistics-hub",
    modes: ["road"],
  });
  const road = data.emissionFactors.factors["road-hgv"];
  if (!road) throw new Error("the seeded network has no road-hgv factor");
  road.value *= 10;
  return validateNetwork(data);
}

const seeded = await createTestNode();
const own = await createTestNode({ network: new RoutingEngine(ownNetwork()) });

async function roadBidCo2e(node: TestNode): Promise<number> {
  const shipper = await registerShipper(node);
  const carrier = await carrierWithTruck(node);
  const load = await postLoad(node, shipper.key);
  const bid = await placeBid(node, load.id, carrier);
  const got = await node.call("GET", `/v1/loads/${load.id}/bids/${bid.id}`, { key: carrier.key });
  expect(got.status, JSON.stringify(got.body)).toBe(200);
  return got.body.co2eKg as number;
}

// Routing, loads, bids and waybills all read the node's one network: the one it was given.
describe("the node's network is the marketplace's", () => {
  it("lists a hub only its network has, and takes loads from it", async () => {
    const shipper = await registerShipper(own);
    const hubs = await own.call("GET", "/v1/network/hubs", { key: shipper.key });
    expect(hubs.body.items.map((h: { code: string }) => h.code)).toContain("KZ-TST");
    const load = await own.call("POST", "/v1/loads", {
      key: shipper.key,
      body: loadBody({ origin: "KZ-TST" }),
    });
    expect(load.status, JSON.stringify(load.body)).toBe(201);
    expect(load.body.origin).toMatchObject({ hub: "KZ-TST", country: "KZ", lat: 43.9, lon: 77.1 });
  });

  it("refuses that hub on a node whose network lacks it, naming the field", async () => {
    const shipper = await registerShipper(seeded);
    const load = await seeded.call("POST", "/v1/loads", {
      key: shipper.key,
      body: loadBody({ origin: "KZ-TST" }),
    });
    expect(load.status, JSON.stringify(load.body)).toBe(400);
    expect(load.body.error.details[0].path).toBe("origin");
  });

  it("estimates a bid's CO2e with its network's emission factors", async () => {
    const [base, tenfold] = [await roadBidCo2e(seeded), await roadBidCo2e(own)];
    expect(base).toBeGreaterThan(0);
    // Each figure is rounded to 0.1 kg.
    expect(Math.abs(tenfold - 10 * base)).toBeLessThanOrEqual(0.6);
  });
});
