import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RoutingEngine } from "../routing/engine";
import type {
  CrossingRecord,
  EmissionFactorTable,
  HandlingTable,
  HubRecord,
  LinkRecord,
  NetworkData,
  TransshipmentRecord,
} from "../routing/types";
import { validateNetwork } from "../routing/validate";

function readJson<T>(dir: string, file: string): T {
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as T;
}

/** Reads and validates the data files of a network directory (e.g. `seed/network`). */
function loadNetworkDir(dir: string): NetworkData {
  const handling = readJson<HandlingTable & { byHub?: HandlingTable["byHub"] }>(
    dir,
    "handling.json",
  );
  return validateNetwork({
    hubs: readJson<{ hubs: HubRecord[] }>(dir, "hubs.json").hubs,
    links: readJson<{ links: LinkRecord[] }>(dir, "links.json").links,
    crossings: readJson<{ crossings: CrossingRecord[] }>(dir, "crossings.json").crossings,
    transshipments: readJson<{ transshipments: TransshipmentRecord[] }>(dir, "transshipments.json")
      .transshipments,
    handling: { ...handling, byHub: handling.byHub ?? {} },
    emissionFactors: readJson<EmissionFactorTable>(dir, "emission-factors.json"),
  });
}

/** The seeded network shipped with the repository (`seed/network/*.json`), validated. */
export function loadSeedNetwork(): NetworkData {
  return loadNetworkDir(join(import.meta.dirname, "network"));
}

/**
 * An engine over the seeded network. Called once by whatever composes a node (the server, a
 * test node, a benchmark), which hands it to everything below through `deps` and `ctx`.
 */
export function loadSeedEngine(): RoutingEngine {
  return new RoutingEngine(loadSeedNetwork());
}
