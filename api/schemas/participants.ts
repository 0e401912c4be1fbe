import { z } from "@hono/zod-openapi";
import { GAUGES, MODES, ORG_KINDS, ORG_STATUSES } from "../../core/participants/vocabulary";
import {
  DG_CLASSES,
  isCountryCode,
  isCurrencyCode,
  validateCreditCode,
  validateRegistrationNumber,
} from "../../core/validation";
import { flag, isoDate, isoDateTime, omittedSecrets, text } from "./common";

export const CountryCode = z
  .string()
  .length(2, "must be an ISO 3166-1 alpha-2 code")
  .refine(isCountryCode, "unknown ISO 3166-1 alpha-2 country code")
  .openapi({ example: "CN" });

export const CurrencyCode = z
  .string()
  .length(3)
  .refine(isCurrencyCode, "unknown ISO 4217 currency code")
  .openapi({ example: "CNY" });

export const Mode = z.enum(MODES).openapi({ example: "road" });

const Contact = z
  .strictObject({
    name: text(120),
    phone: z
      .string()
      .max(32)
      .regex(/^\+?[0-9][0-9 ()-]{5,30}$/, "must be a phone number, e.g. +86 991 555 0100"),
    email: z.email().max(254),
  })
  .openapi("Contact");

const expiry = isoDate.openapi({ description: "Last day of validity (YYYY-MM-DD)" });

export const Qualifications = z
  .strictObject({
    operatingLicence: z.strictObject({ number: text(64), expiresOn: expiry }),
    dangerousGoods: z
      .strictObject({
        permitNumber: text(64),
        classes: z
          .array(z.enum(DG_CLASSES))
          .min(1)
          .max(DG_CLASSES.length)
          .refine((a) => new Set(a).size === a.length, "classes must not repeat"),
        expiresOn: expiry,
      })
      .optional(),
    insurance: z.strictObject({
      insurer: text(120).optional(),
      policyNumber: text(64).optional(),
      cover: z.strictObject({
        amount: z.number().positive().max(1e12),
        currency: CurrencyCode,
      }),
      expiresOn: expiry,
    }),
  })
  .openapi("Qualifications");

const organizationFields = {
  name: text(200).openapi({ example: "Xinjiang Silk Road Freight Co., Ltd." }),
  country: CountryCode,
  creditCode: z.string().max(18).optional().openapi({
    description: "Unified social credit code (Chinese organisations)",
    example: "91650100MA77XXXXXL",
  }),
  registrationNumber: z
    .string()
    .max(40)
    .optional()
    .openapi({ description: "National registration number (others), e.g. a Kazakh 12-digit BIN" }),
  contact: Contact,
};

type LegalIds = { country: string; creditCode?: string; registrationNumber?: string };

/** Chinese organisations carry a credit code; others their national registration number. */
function checkLegalIds(v: LegalIds, ctx: z.RefinementCtx): void {
  if (v.country === "CN") {
    if (v.registrationNumber !== undefined) {
      flag(ctx, "registrationNumber", "Chinese organisations use creditCode");
    }
    if (v.creditCode === undefined) {
      flag(ctx, "creditCode", "required for country CN");
      return;
    }
    const r = validateCreditCode(v.creditCode);
    if (!r.ok) flag(ctx, "creditCode", `position ${r.position}: ${r.message}`);
    return;
  }
  if (v.creditCode !== undefined) {
    flag(ctx, "creditCode", "only Chinese (CN) organisations carry a credit code");
  }
  if (v.registrationNumber === undefined) {
    flag(ctx, "registrationNumber", `required for country ${v.country}`);
    return;
  }
  const r = validateRegistrationNumber(v.country, v.registrationNumber);
  if (!r.ok) flag(ctx, "registrationNumber", r.message);
}

export const ShipperRegistration = z
  .strictObject(organizationFields)
  .superRefine(checkLegalIds)
  .openapi("ShipperRegistration");

export const CarrierRegistration = z
  .strictObject({
    ...organizationFields,
    modes: z
      .array(Mode)
      .min(1)
      .max(MODES.length)
      .refine((a) => new Set(a).size === a.length, "modes must not repeat"),
    qualifications: Qualifications,
  })
  .superRefine(checkLegalIds)
  .openapi("CarrierRegistration");

export const OrganizationCreate = z
  .strictObject({
    kind: z.enum(ORG_KINDS),
    ...organizationFields,
    modes: z.array(Mode).min(1).max(MODES.length).optional(),
    qualifications: Qualifications.optional(),
  })
  .superRefine((v, ctx) => {
    const givesIds = v.creditCode !== undefined || v.registrationNumber !== undefined;
    if (v.kind === "shipper" || v.kind === "carrier" || givesIds) {
      checkLegalIds(v, ctx);
    }
    if (v.kind === "carrier" && (!v.modes || !v.qualifications)) {
      ctx.addIssue({
        code: "custom",
        path: [v.modes ? "qualifications" : "modes"],
        message: "required for a carrier",
      });
    }
    if (v.kind !== "carrier" && (v.modes || v.qualifications)) {
      ctx.addIssue({
        code: "custom",
        path: [v.modes ? "modes" : "qualifications"],
        message: "only carriers declare this",
      });
    }
  })
  .openapi("OrganizationCreate");

export const Organization = z
  .object({
    id: z.string().openapi({ example: "org_01JBW4Q9X0ABCDEFGHJKMNPQRS" }),
    kind: z.enum(ORG_KINDS),
    status: z.enum(ORG_STATUSES),
    name: z.string(),
    country: z.string(),
    creditCode: z.string().nullable().optional(),
    registrationNumber: z.string().nullable().optional(),
    divisionCode: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "GB/T 2260 division read from the credit code" }),
    contact: z
      .object({
        name: z.string().nullable().optional(),
        phone: z.string().nullable().optional(),
        email: z.string().nullable().optional(),
      })
      .optional()
      .openapi({ description: "Sensitive: shown to the organisation itself and admins only" }),
    modes: z.array(Mode).optional(),
    qualifications: z.record(z.string(), z.unknown()).optional(),
    rejectionReason: z.string().nullable().optional(),
    suspensionReason: z.string().nullable().optional(),
    pendingQualifications: z.record(z.string(), z.unknown()).nullable().optional().openapi({
      description:
        "A carrier's declared change that widens what it may carry, awaiting an admin's review",
    }),
    verifiedAt: z.string().nullable().optional(),
    createdAt: z.string(),
    updatedAt: z.string().optional(),
  })
  .openapi("Organization");

export const Registered = z
  .object({
    organization: Organization,
    apiKey: z
      .string()
      .optional()
      .openapi({ description: "Shown once (absent on a replay); store it now", example: "cvn_…" }),
    key: z.string().optional().openapi({
      description: "The same key as `apiKey`, under the name `POST /v1/api-keys` gives it",
      example: "cvn_…",
    }),
    ...omittedSecrets,
  })
  .openapi("Registered");

export const VehicleCreate = z
  .strictObject({
    mode: Mode,
    plate: text(20).openapi({
      description: "Plate (road) or unit number (rail, air, sea)",
      example: "新A12345",
    }),
    capacityKg: z.number().positive().max(10_000_000),
    capacityM3: z.number().positive().max(100_000),
    gauge: z
      .union(GAUGES.map((g) => z.literal(g)) as [z.ZodLiteral<1435>, z.ZodLiteral<1520>])
      .optional()
      .openapi({ description: "Track gauge in mm, rail only" }),
  })
  .superRefine((v, ctx) => {
    if (v.mode === "rail" && v.gauge === undefined) {
      flag(ctx, "gauge", "required for rail (1435 or 1520)");
    }
    if (v.mode !== "rail" && v.gauge !== undefined) {
      flag(ctx, "gauge", "only rail vehicles have a gauge");
    }
  })
  .openapi("VehicleCreate");

export const Vehicle = z
  .object({
    id: z.string(),
    carrierId: z.string(),
    mode: Mode,
    plate: z.string().optional(),
    capacityKg: z.number(),
    capacityM3: z.number(),
    gauge: z.number().nullable(),
    createdAt: z.string(),
  })
  .openapi("Vehicle");

/** What every view of an API key shows; the secret itself only once, when issued. */
const apiKeyFields = {
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: z.string(),
  createdAt: isoDateTime,
};

export const ApiKeyView = z
  .object({
    ...apiKeyFields,
    lastUsedAt: isoDateTime.nullable(),
    revokedAt: isoDateTime.nullable(),
  })
  .openapi("ApiKey");

export const IssuedApiKey = z
  .object({
    ...apiKeyFields,
    key: z.string().optional().openapi({ description: "Shown once: absent on a replay" }),
    apiKey: z.string().optional().openapi({
      description: "The same key as `key`, under the name registration gives it",
    }),
    ...omittedSecrets,
  })
  .openapi("IssuedApiKey");
