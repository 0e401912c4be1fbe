ALTER TABLE "waybill_events" ADD COLUMN "recorded_by" text;--> statement-breakpoint
ALTER TABLE "waybill_events" ADD COLUMN "signature_kid" text;--> statement-breakpoint
ALTER TABLE "waybill_events" ADD COLUMN "signature" text;