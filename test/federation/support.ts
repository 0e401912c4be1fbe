import { generateKeyPairSync } from "node:crypto";
import type { Clock } from "../../core/context";
import { publicJwkOf } from "../../core/federation/jwk";
import type { PublicJwk } from "../../db/schema/federation";

/** Real time, moved forward by the test: past a grace period without waiting for it. */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
  };
}

/** A partner node's key pair: the public JWK it publishes and the private JWK it keeps. */
export async function partnerKey(): Promise<{
  publicJwk: PublicJwk;
  privateJwk: Record<string, unknown>;
}> {
  const { privateKey } = generateKeyPairSync("ed25519");
  return {
    publicJwk: await publicJwkOf(privateKey),
    privateJwk: { ...privateKey.export({ format: "jwk" }) },
  };
}

export async function partnerBody(over: Record<string, unknown> = {}) {
  const { publicJwk } = await partnerKey();
  return {
    code: "KZ",
    name: "Caravan node Kazakhstan",
    kind: "belt_and_road",
    baseUrl: "https://caravan.kz.example",
    jwks: { keys: [publicJwk] },
    agreement: {
      countries: ["KZ"],
      regions: [],
      recordTypes: ["waybill", "event"],
      maxClassification: "internal",
    },
    ...over,
  };
}

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
