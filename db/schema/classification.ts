/**
 * Every stored field carries a sensitivity class, declared once beside its table.
 * - public: may leave the node to anyone entitled to the record (partners, regulators).
 * - internal: the owner, admins and regulators; not shared with partners unless agreed.
 * - sensitive: personal or commercial secrets; the owner and admins only.
 */
export const CLASSIFICATIONS = ["public", "internal", "sensitive"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

const RANK: Record<Classification, number> = { public: 0, internal: 1, sensitive: 2 };

export type FieldClassification<T> = { readonly [K in keyof T]-?: Classification };

/** Keeps only the fields whose class is at most `ceiling`; unknown fields are dropped. */
export function redact<T extends object>(
  row: T,
  classes: FieldClassification<T>,
  ceiling: Classification,
): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(row) as (keyof T)[]) {
    const cls = classes[key];
    if (cls !== undefined && RANK[cls] <= RANK[ceiling]) out[key] = row[key];
  }
  return out;
}
