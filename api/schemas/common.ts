import { z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../core/ids";

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

// With the `u` flag a paired surrogate is one code point, so only a lone one matches.
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_UNICODE = "must be well-formed Unicode (a lone UTF-16 surrogate cannot be stored)";

/** Human text: trimmed, bounded, no control characters (PostgreSQL cannot store NUL). */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !CONTROL.test(s), "must not contain control characters")
    .refine((s) => !LONE_SURROGATE.test(s), NOT_UNICODE);

/** Paths of every string, and every key, in `value` that holds a lone surrogate. */
function illFormedPaths(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => illFormedPaths(v, [...path, i]));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    LONE_SURROGATE.test(k) ? [[...path, k]] : illFormedPaths(v, [...path, k]),
  );
}

/** A refinement's complaint about one field of the object it checks. */
export function flag(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: "custom", path: [field], message });
}

/**
 * Refuses a lone surrogate anywhere in a request body, naming where: such text would reach
 * PostgreSQL as a JSON escape it rejects (in an audit entry, a detail) or be silently changed.
 * `jsonBody` applies it to every body, so no free-form field can forget it.
 */
export const wellFormed = <T extends z.ZodType>(schema: T) =>
  schema.superRefine((value, ctx) => {
    for (const path of illFormedPaths(value)) {
      ctx.addIssue({ code: "custom", path, message: NOT_UNICODE });
    }
  });

export const idOf = (prefix: string) =>
  z
    .string()
    .max(40)
    .regex(ID_PATTERN, "malformed id")
    .refine((s) => s.startsWith(`${prefix}_`), `must be a ${prefix}_… id`)
    .openapi({ example: `${prefix}_01JBW4Q9X0ABCDEFGHJKMNPQRS` });

export const IdParam = (prefix: string) =>
  z.object({
    id: idOf(prefix).openapi({ param: { name: "id", in: "path" } }),
  });

// Years a logistics record can mean, inside what PostgreSQL and `Date#toISOString` can both
// write back (year 0 is no year to PostgreSQL; 9999-12-31T23:59-14:00 is in year 10000 UTC).
const YEARS = { min: 1900, max: 9999 };
const inYears = (s: string) => {
  const year = new Date(s).getUTCFullYear();
  return year >= YEARS.min && year <= YEARS.max;
};
const YEARS_MESSAGE = `year must be between ${YEARS.min} and ${YEARS.max}`;

export const isoDate = z.iso
  .date()
  .refine(inYears, YEARS_MESSAGE)
  .openapi({ example: "2027-06-30" });
export const isoDateTime = z.iso
  .datetime({ offset: true })
  .refine(inYears, `${YEARS_MESSAGE} (in UTC)`)
  .openapi({ example: "2026-12-01T08:00:00Z" });

export const PageQuery = {
  cursor: z
    .string()
    .max(40)
    .regex(ID_PATTERN, "malformed cursor")
    .optional()
    .openapi({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: "null on the last page" }),
    })
    .openapi(name);

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  body: {
    required: true,
    description,
    content: { "application/json": { schema: wellFormed(schema) } },
  },
});

export const bearer = [{ apiKey: [] }];

/** On an `Idempotency-Key` replay, the secrets the first response carried, by field path. */
export const omittedSecrets = {
  omittedSecrets: z
    .array(z.string())
    .optional()
    .openapi({
      description:
        "Only on an Idempotency-Key replay: the secret fields left out (a secret is shown once)",
      example: ["key"],
    }),
};
