import type { NodeKind } from "../../db/schema/federation";
import type { SigningKeyring } from "./signing-keys";

/** What a node tells its partners about itself, and the keys it signs with. */
export interface FederationSetup {
  readonly name: string;
  readonly kind: NodeKind;
  /** How long a rotated-out key stays published and signing (`CARAVAN_NODE_KEY_GRACE_HOURS`). */
  readonly keyGraceHours: number;
  readonly keys: SigningKeyring;
}
