import type { Parties, SeedOrganization, SeedVehicle } from "./parties";
import { field, iso, textArray } from "./text";

/** Organisations as COPY rows (ORGANIZATION_COPY_COLUMNS), all verified a week after joining. */
function organizationText(orgs: readonly SeedOrganization[]): string {
  let out = "";
  for (const o of orgs) {
    const verified = iso(o.createdAt + 7 * 86_400_000);
    out += `${[
      o.id,
      o.kind,
      "verified",
      field(o.name),
      o.country,
      field(o.creditCode),
      field(o.registrationNumber),
      field(o.divisionCode),
      field(o.contactName),
      field(o.contactPhone),
      field(o.contactEmail),
      textArray(o.modes),
      field(JSON.stringify(o.qualifications)),
      verified,
      iso(o.createdAt),
      verified,
    ].join("\t")}\n`;
  }
  return out;
}

/** Vehicles as COPY rows (VEHICLE_COPY_COLUMNS). */
function vehicleText(vehicles: readonly SeedVehicle[]): string {
  let out = "";
  for (const v of vehicles) {
    const at = iso(v.createdAt);
    out += `${[v.id, v.carrierId, v.mode, field(v.plate), v.capacityKg, v.capacityM3, v.gauge ?? "\\N", at, at].join("\t")}\n`;
  }
  return out;
}

export function partiesText(p: Parties): { organizations: string; vehicles: string } {
  return {
    organizations: organizationText([...p.shippers, ...p.carriers]),
    vehicles: vehicleText(p.vehicles),
  };
}
