import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RoutingEngine } from "../routing/engine";
import { checkLinkGeometry, describeDetourFlag } from "../routing/geometry";
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

export interface LoadOptions {
  /** Told of each link far longer than the great circle between its hubs with no reason given. */
  onDetourFlag?: (message: string) => void;
}

/** Reads and validates the data files of a network directory (e.g. `seed/network`). */
function loadNetworkDir(dir: string, opts: LoadOptions): NetworkData {
  const handling = readJson<HandlingTable & { byHub?: HandlingTable["byHub"] }>(
    dir,
    "handling.json",
  );
  const data = validateNetwork({
    hubs: readJson<{ hubs: HubRecord[] }>(dir, "hubs.json").hubs,
    links: readJson<{ links: LinkRecord[] }>(dir, "links.json").links,
    crossings: readJson<{ crossings: CrossingRecord[] }>(dir, "crossings.json").crossings,
    transshipments: readJson<{ transshipments: TransshipmentRecord[] }>(dir, "transshipments.json")
      .transshipments,
    handling: { ...handling, byHub: handling.byHub ?? {} },
    emissionFactors: readJson<EmissionFactorTable>(dir, "emission-factors.json"),
  });
  for (const flag of checkLinkGeometry(data).flags) opts.onDetourFlag?.(describeDetourFlag(flag));
  return data;
}

/** The seeded network shipped with the repository (`seed/network/*.json`), validated. */
export function loadSeedNetwork(opts: LoadOptions = {}): NetworkData {
  return loadNetworkDir(join(import.meta.dirname, "network"), opts);
}

/**
 * An engine over the seeded network. Called once by whatever composes a node (the server, a
 * test node, a benchmark), which hands it to everything below through `deps` and `ctx`.
 */
export function loadSeedEngine(opts: LoadOptions = {}): RoutingEngine {
  return new RoutingEngine(loadSeedNetwork(opts));
}
