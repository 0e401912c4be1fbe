/** The reports, and the cell columns each one's figures are computed from. */

export const REPORT_NAMES = [
  "flows",
  "corridors",
  "modal-split",
  "border-ports",
  "performance",
  "prices",
  "emissions",
  "carec",
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/**
 * The columns each report's figures are computed from: a partner is sent these and no more
 * (data minimisation; the rest would be aggregates too, but no figure it asked for needs them),
 * and the cell query sums these only.
 */
export const REPORT_COLUMNS: Record<ReportName, readonly string[]> = {
  flows: ["waybills", "tonnes", "tonne_km", "value_cny"],
  corridors: ["waybills", "tonnes", "tonne_km"],
  "modal-split": ["tonnes", "tonne_km"],
  "border-ports": ["crossings", "cleared", "dwell_hours", "gauge_transshipments", "dwell_hist"],
  performance: ["waybills", "delivered", "on_time", "exceptions", "transit_hist"],
  prices: ["value_cny", "priced_tonne_km"],
  emissions: ["co2e_kg", "tonne_km"],
  carec: [
    ...["crossings", "cleared", "dwell_hours", "gauge_transshipments", "dwell_hist"],
    ...["value_cny", "tonnes", "priced_tonne_km"],
    ...["delivered", "delivered_km", "delivered_hours", "delivered_dwell_hours"],
  ],
};
