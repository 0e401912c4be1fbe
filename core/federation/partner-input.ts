import type { Classification } from "../../db/schema/classification";
import type { Jwks, PartnerAgreement, PublicJwk, RecordType } from "../../db/schema/federation";
import { NODE_CODE_PATTERN, NODE_CODE_RULE } from "../config";
import { type EgressPolicy, PUBLIC_ONLY } from "../egress";
import { ValidationError } from "../errors";
import { isCountryCode } from "../validation/countries";
import { regionPrefixProblem } from "./agreement";
import { importPublicJwk, thumbprintOf } from "./jwk";

/** A key set of more is a mistake; a rotation needs two. */
export const MAX_PARTNER_KEYS = 8;

/** Members of a JWK that carry private key material (RFC 7518 §6.2.2, RFC 8037 §2). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

export interface AgreementInput {
  countries: string[];
  regions: string[];
  recordTypes: RecordType[];
  maxClassification: Classification;
}

export interface JwkInput {
  kty: string;
  crv?: string;
  x?: string;
  kid?: string;
  [member: string]: unknown;
}

export function parsePartnerCode(code: string, ownCode: string | undefined): string {
  if (!NODE_CODE_PATTERN.test(code)) throw ValidationError.field("code", NODE_CODE_RULE);
  if (code === ownCode) throw ValidationError.field("code", "is this node's own code");
  return code;
}

/**
 * Where the partner's node answers: http(s), a host, no credentials, query or fragment, and
 * a host the egress rule allows (loopback and private ranges only with `CARAVAN_EGRESS_ALLOW`).
 * Kept without a trailing slash, so paths are appended to it.
 */
export function parseBaseUrl(raw: string, egress: EgressPolicy = PUBLIC_ONLY): string {
  const fail = (message: string) => ValidationError.field("baseUrl", message);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail("must be an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw fail("must use http or https");
  if (!url.hostname) throw fail("must name a host");
  if (url.username || url.password) throw fail("must not carry credentials");
  if (url.search || url.hash) throw fail("must not have a query or fragment");
  const refusal = egress.refuseUrl(url);
  if (refusal) throw fail(refusal);
  return url.toString().replace(/\/+$/, "");
}

/** Each once, in the order first given. */
const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

export function parseAgreement(input: AgreementInput, path = "agreement"): PartnerAgreement {
  input.countries.forEach((c, i) => {
    if (!isCountryCode(c)) {
      throw ValidationError.field(`${path}.countries.${i}`, "not an ISO 3166-1 alpha-2 code");
    }
  });
  input.regions.forEach((r, i) => {
    const problem = regionPrefixProblem(r);
    if (problem) throw ValidationError.field(`${path}.regions.${i}`, problem);
  });
  return {
    countries: unique(input.countries),
    regions: unique(input.regions),
    recordTypes: unique(input.recordTypes),
    maxClassification: input.maxClassification,
  };
}

/** One key as RFC 8037 allows it here: public, Ed25519, `kid` its thumbprint if given. */
async function parseJwk(key: JwkInput, path: string): Promise<PublicJwk> {
  const privateMember = PRIVATE_MEMBERS.find((m) => m in key);
  if (privateMember) {
    throw ValidationError.field(
      `${path}.${privateMember}`,
      "private key material is refused: register the partner's public key only",
    );
  }
  if (key.kty !== "OKP") throw ValidationError.field(`${path}.kty`, 'must be "OKP" (RFC 8037)');
  if (key.crv !== "Ed25519") throw ValidationError.field(`${path}.crv`, 'must be "Ed25519"');
  const x = typeof key.x === "string" ? key.x : "";
  if (!/^[A-Za-z0-9_-]{43}$/.test(x) || Buffer.from(x, "base64url").length !== 32) {
    throw ValidationError.field(`${path}.x`, "must be a 32-byte key in base64url, unpadded");
  }
  try {
    importPublicJwk({ x });
  } catch {
    throw ValidationError.field(`${path}.x`, "is not an Ed25519 public key");
  }
  const kid = await thumbprintOf(x);
  if (key.kid !== undefined && key.kid !== kid) {
    throw ValidationError.field(`${path}.kid`, `must be the key's RFC 7638 thumbprint (${kid})`);
  }
  return { kty: "OKP", crv: "Ed25519", x, kid };
}

/** A partner's published keys: at least one, each once, public Ed25519 keys only. */
export async function parseJwks(input: { keys: JwkInput[] }, path = "jwks"): Promise<Jwks> {
  if (input.keys.length === 0) throw ValidationError.field(`${path}.keys`, "must hold a key");
  if (input.keys.length > MAX_PARTNER_KEYS) {
    throw ValidationError.field(`${path}.keys`, `at most ${MAX_PARTNER_KEYS} keys`);
  }
  const keys: PublicJwk[] = [];
  for (const [i, key] of input.keys.entries()) {
    const jwk = await parseJwk(key, `${path}.keys.${i}`);
    if (keys.some((k) => k.kid === jwk.kid)) {
      throw ValidationError.field(`${path}.keys.${i}`, "the same key is listed twice");
    }
    keys.push(jwk);
  }
  return { keys };
}
