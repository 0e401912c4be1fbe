import { z } from "@hono/zod-openapi";
import { NODE_CODE_PATTERN, NODE_CODE_RULE } from "../../core/config";
import { regionPrefixProblem } from "../../core/federation/agreement";
import { MAX_PARTNER_KEYS } from "../../core/federation/partner-input";
import {
  CLASSIFICATIONS,
  NODE_KINDS,
  PARTNER_STATUSES,
  RECORD_TYPES,
} from "../../core/federation/vocabulary";
import { text } from "./common";
import { CountryCode } from "./participants";

const NodeCode = z
  .string()
  .max(4)
  .regex(NODE_CODE_PATTERN, NODE_CODE_RULE)
  .openapi({ example: "KZ", description: "The node's `CARAVAN_NODE_CODE`" });

export const PartnerCodeParam = z.object({
  code: NodeCode.openapi({ param: { name: "code", in: "path" } }),
});

const NodeKind = z.enum(NODE_KINDS).openapi({ example: "belt_and_road" });

const RegionPrefix = z
  .string()
  .max(6)
  .superRefine((prefix, ctx) => {
    const problem = regionPrefixProblem(prefix);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({ example: "62", description: "GB/T 2260 division code prefix: 2, 4 or 6 digits" });

const Agreement = z
  .strictObject({
    countries: z
      .array(CountryCode)
      .max(250)
      .openapi({ description: "ISO 3166-1 alpha-2 codes", example: ["KZ"] }),
    regions: z
      .array(RegionPrefix)
      .max(500)
      .openapi({ example: ["62"] }),
    recordTypes: z
      .array(z.enum(RECORD_TYPES))
      .max(RECORD_TYPES.length * 2)
      .openapi({ example: ["waybill", "event"] }),
    maxClassification: z.enum(CLASSIFICATIONS).openapi({
      example: "internal",
      description: "Fields classified above this are removed before anything leaves the node",
    }),
  })
  .openapi("PartnerAgreement", {
    description:
      "Which waybills concern the partner (countries or regions on the journey: origin, destination, every leg's hubs and crossings; either list may be empty), which records it receives and up to which classification.",
  });

/** Extra members are looked at by the verb: private key material is refused by name. */
const JwkIn = z
  .looseObject({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().max(64).openapi({ description: "The 32-byte public key, base64url" }),
    kid: z
      .string()
      .max(128)
      .optional()
      .openapi({ description: "If given, the key's RFC 7638 thumbprint" }),
  })
  .openapi("PartnerJwk", { description: "An Ed25519 public key (RFC 8037); no `d`" });

const JwksIn = z.strictObject({ keys: z.array(JwkIn).min(1).max(MAX_PARTNER_KEYS) });

const PublicJwk = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().openapi({ example: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }),
    kid: z.string().openapi({ description: "RFC 7638 thumbprint (SHA-256) of the key" }),
  })
  .openapi("PublicJwk");

const BaseUrl = z.string().max(2000).openapi({
  example: "https://caravan.kz.example",
  description: "Where the partner's node answers",
});

export const PartnerCreate = z
  .strictObject({
    code: NodeCode,
    name: text(200),
    kind: NodeKind,
    baseUrl: BaseUrl,
    jwks: JwksIn,
    agreement: Agreement,
  })
  .openapi("PartnerCreate");

export const PartnerPatch = z
  .strictObject({
    name: text(200).optional(),
    baseUrl: BaseUrl.optional(),
    jwks: JwksIn.optional().openapi({ description: "Replaces the partner's keys" }),
    agreement: Agreement.partial()
      .optional()
      .openapi({ description: "Each field given replaces the agreement's; the others stay" }),
  })
  .openapi("PartnerPatch");

/** As stored: the same fields, checked on the way in. */
const AgreementOut = z
  .object({
    countries: z.array(z.string()),
    regions: z.array(z.string()),
    recordTypes: z.array(z.enum(RECORD_TYPES)),
    maxClassification: z.enum(CLASSIFICATIONS),
  })
  .openapi("PartnerAgreementView");

export const Partner = z
  .object({
    code: NodeCode,
    name: z.string(),
    kind: NodeKind,
    baseUrl: z.string(),
    jwks: z.object({ keys: z.array(PublicJwk) }),
    agreement: AgreementOut,
    status: z.enum(PARTNER_STATUSES),
    suspendedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Partner");

export const PartnerList = z.object({ items: z.array(Partner) }).openapi("PartnerList");

export const NodeDescription = z
  .object({
    code: NodeCode,
    name: z.string().openapi({ example: "Caravan node XJ" }),
    kind: NodeKind,
    protocolVersion: z.string().openapi({ example: "caravan-federation/1" }),
    jwks: z.object({ keys: z.array(PublicJwk) }),
  })
  .openapi("NodeDescription");

const NodeKey = PublicJwk.extend({
  createdAt: z.string(),
  retiresAt: z.string().nullable().openapi({ description: "null for the current key" }),
}).openapi("NodeKey");

export const RotatedKeys = z
  .object({
    kid: z.string().openapi({ description: "The new current key" }),
    keys: z.array(NodeKey).openapi({ description: "Every published key, the current one first" }),
  })
  .openapi("RotatedKeys");
