ALTER TABLE "waybill_legs" ADD COLUMN "figures" jsonb;--> statement-breakpoint
ALTER TABLE "waybills" ADD COLUMN "route" jsonb;