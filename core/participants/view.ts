import {
  type Organization,
  organizationClasses,
  type Vehicle,
  vehicleClasses,
} from "../../db/schema";
import { type Classification, redact } from "../../db/schema/classification";
import type { Actor } from "../context";

/** What an actor may see of an organisation's record: null when nothing at all. */
export function orgCeiling(actor: Actor, orgId: string): Classification | null {
  if (actor.kind === "admin" || actor.kind === "system") return "sensitive";
  if ("orgId" in actor && actor.orgId === orgId) return "sensitive";
  if (actor.kind === "regulator") return "internal";
  return null;
}

export interface OrganizationView {
  id: string;
  kind: Organization["kind"];
  status: Organization["status"];
  name: string;
  country: string;
  creditCode?: string | null;
  registrationNumber?: string | null;
  divisionCode?: string | null;
  contact?: { name?: string | null; phone?: string | null; email?: string | null };
  modes?: Organization["modes"];
  qualifications?: Organization["qualifications"];
  rejectionReason?: string | null;
  suspensionReason?: string | null;
  pendingQualifications?: Organization["pendingQualifications"];
  verifiedAt?: string | null;
  createdAt: string;
  updatedAt?: string;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function organizationView(org: Organization, ceiling: Classification): OrganizationView {
  const r = redact(org, organizationClasses, ceiling);
  const contact =
    r.contactName !== undefined || r.contactPhone !== undefined || r.contactEmail !== undefined
      ? { name: r.contactName, phone: r.contactPhone, email: r.contactEmail }
      : undefined;
  return {
    id: org.id,
    kind: org.kind,
    status: org.status,
    name: org.name,
    country: org.country,
    creditCode: r.creditCode,
    registrationNumber: r.registrationNumber,
    divisionCode: r.divisionCode,
    contact,
    modes: org.kind === "carrier" ? r.modes : undefined,
    qualifications: org.kind === "carrier" ? r.qualifications : undefined,
    rejectionReason: r.rejectionReason,
    suspensionReason: r.suspensionReason,
    pendingQualifications: org.kind === "carrier" ? r.pendingQualifications : undefined,
    verifiedAt: r.verifiedAt === undefined ? undefined : iso(r.verifiedAt),
    createdAt: org.createdAt.toISOString(),
    updatedAt: r.updatedAt?.toISOString(),
  };
}

export interface VehicleView {
  id: string;
  carrierId: string;
  mode: Vehicle["mode"];
  plate?: string;
  capacityKg: number;
  capacityM3: number;
  gauge: Vehicle["gauge"];
  createdAt: string;
}

export function vehicleView(v: Vehicle, ceiling: Classification): VehicleView {
  const r = redact(v, vehicleClasses, ceiling);
  return {
    id: v.id,
    carrierId: v.carrierId,
    mode: v.mode,
    plate: r.plate,
    capacityKg: v.capacityKg,
    capacityM3: v.capacityM3,
    gauge: v.gauge,
    createdAt: v.createdAt.toISOString(),
  };
}
