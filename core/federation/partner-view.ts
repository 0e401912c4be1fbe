import type {
  FederationPartner,
  Jwks,
  NodeKind,
  PartnerAgreement,
  PartnerStatus,
} from "../../db/schema/federation";

export interface PartnerView {
  code: string;
  name: string;
  kind: NodeKind;
  baseUrl: string;
  jwks: Jwks;
  agreement: PartnerAgreement;
  status: PartnerStatus;
  suspendedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Nothing of a partner is sensitive; admins and regulators see the same view. */
export function partnerView(p: FederationPartner): PartnerView {
  return {
    code: p.code,
    name: p.name,
    kind: p.kind,
    baseUrl: p.baseUrl,
    jwks: p.jwks,
    agreement: p.agreement,
    status: p.status,
    suspendedAt: p.suspendedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
