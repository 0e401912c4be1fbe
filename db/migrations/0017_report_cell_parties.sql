-- Cells carry the lesser of their shipper and carrier counts, so a report reads "published" from an
-- index (covering what reports sum) without touching the id arrays; vacuumed often, so the
-- index-only scans stay index-only as refreshes rewrite cells.
ALTER TABLE "report_cells" ADD COLUMN "parties" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "report_link_cells" ADD COLUMN "parties" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "report_port_cells" ADD COLUMN "parties" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "report_cells" SET "parties" = least(cardinality("shippers"), cardinality("carriers"));--> statement-breakpoint
UPDATE "report_link_cells" SET "parties" = least(cardinality("shippers"), cardinality("carriers"));--> statement-breakpoint
UPDATE "report_port_cells" SET "parties" = least(cardinality("shippers"), cardinality("carriers"));--> statement-breakpoint
CREATE INDEX "report_cells_read_idx" ON "report_cells" ("grain", "period") INCLUDE ("o_area", "d_area", "mode", "hs_chapter", "corridor", "parties", "waybills", "tonnes", "tonne_km", "value_cny", "priced_tonne_km", "co2e_kg", "delivered", "on_time", "exceptions", "transit_hist", "delivered_km", "delivered_hours", "delivered_dwell_hours");--> statement-breakpoint
CREATE INDEX "report_link_cells_read_idx" ON "report_link_cells" ("grain", "period") INCLUDE ("link_id", "mode", "corridor", "parties", "waybills", "tonnes", "tonne_km", "value_cny", "priced_tonne_km", "co2e_kg");--> statement-breakpoint
CREATE INDEX "report_port_cells_read_idx" ON "report_port_cells" ("grain", "period") INCLUDE ("port", "mode", "parties", "crossings", "cleared", "gauge_transshipments", "dwell_hours", "dwell_hist");--> statement-breakpoint
ALTER TABLE "report_cells" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);--> statement-breakpoint
ALTER TABLE "report_link_cells" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);--> statement-breakpoint
ALTER TABLE "report_port_cells" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
