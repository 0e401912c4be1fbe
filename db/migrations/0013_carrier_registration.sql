ALTER TABLE "waybill_legs" ADD COLUMN "carrier_registration" jsonb;--> statement-breakpoint
ALTER TABLE "waybills" ADD COLUMN "carrier_registration" jsonb;--> statement-breakpoint
-- This node's own waybills carry their carriers' registrations from now on: fill those issued before.
UPDATE "waybills" w SET "carrier_registration" = jsonb_build_object('country', o.country, 'number', coalesce(o.credit_code, o.registration_number)) FROM "organizations" o WHERE w.home_node IS NULL AND o.id = w.carrier_id AND coalesce(o.credit_code, o.registration_number) IS NOT NULL;--> statement-breakpoint
UPDATE "waybill_legs" l SET "carrier_registration" = jsonb_build_object('country', o.country, 'number', coalesce(o.credit_code, o.registration_number)) FROM "waybills" w, "organizations" o WHERE w.number = l.waybill_number AND w.home_node IS NULL AND o.id = l.carrier_id AND coalesce(o.credit_code, o.registration_number) IS NOT NULL;
