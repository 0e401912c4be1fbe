import { z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../core/ids";

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Human text: trimmed, bounded, no control characters (PostgreSQL cannot store NUL). */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !CONTROL.test(s), "must not contain control characters");

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

export const isoDate = z.iso.date().openapi({ example: "2027-06-30" });
export const isoDateTime = z.iso
  .datetime({ offset: true })
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
  body: { required: true, description, content: { "application/json": { schema } } },
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
