import type { Jwks, NodeKind } from "../../db/schema/federation";
import { type Ctx, requireFederation } from "../context";
import { PROTOCOL_VERSION } from "./vocabulary";

export interface NodeDescription {
  code: string;
  name: string;
  kind: NodeKind;
  protocolVersion: string;
  /** Every key not yet retired: a partner accepts a message signed by any of them. */
  jwks: Jwks;
}

/** `GET /.well-known/caravan-node`: who this node is and the keys its messages carry. */
export async function describeNode(ctx: Ctx): Promise<NodeDescription> {
  const federation = requireFederation(ctx);
  const { keys } = await federation.keys.live(ctx);
  if (!ctx.nodeCode) throw new Error("describing the node needs its code in ctx");
  return {
    code: ctx.nodeCode,
    name: federation.name,
    kind: federation.kind,
    protocolVersion: PROTOCOL_VERSION,
    jwks: { keys: keys.map(({ publicJwk: { kty, crv, x, kid } }) => ({ kty, crv, x, kid })) },
  };
}
