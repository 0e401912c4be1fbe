import type { IssuedKey } from "../../../core/keys/issue";
import type { KeyView } from "../../../core/keys/manage";

/** A key as its JSON answer shows it: instants as ISO strings. */
export const keyJson = (k: KeyView) => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/**
 * A newly issued key (secret included, shown once) as its JSON answer shows it: the secret as
 * `key` and, as registration names it, `apiKey`.
 */
export const issuedJson = (k: IssuedKey) => ({
  ...k,
  apiKey: k.key,
  createdAt: k.createdAt.toISOString(),
});
