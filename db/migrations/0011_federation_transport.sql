CREATE TABLE "federation_inbox" (
	"message_id" text PRIMARY KEY NOT NULL,
	"sender" text NOT NULL,
	"waybill_number" text NOT NULL,
	"type" text NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "federation_outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "federation_outbox_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner" text NOT NULL,
	"waybill_number" text NOT NULL,
	"type" text NOT NULL,
	"home_node" text NOT NULL,
	"origin" text NOT NULL,
	"record" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"delivered_at" timestamp (3) with time zone,
	CONSTRAINT "federation_outbox_status_check" CHECK (status in ('pending', 'delivered', 'dead')),
	CONSTRAINT "federation_outbox_type_check" CHECK (type in ('waybill', 'event'))
);
--> statement-breakpoint
CREATE TABLE "federation_sync" (
	"partner" text PRIMARY KEY NOT NULL,
	"last_delivered_at" timestamp (3) with time zone,
	"last_failure_at" timestamp (3) with time zone,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"stopped_reason" text,
	"paused_until" timestamp (3) with time zone,
	"last_heartbeat_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "waybill_legs" DROP CONSTRAINT "waybill_legs_carrier_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "waybills" DROP CONSTRAINT "waybills_shipper_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "waybills" DROP CONSTRAINT "waybills_carrier_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "waybills" ALTER COLUMN "cargo" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "waybills" ALTER COLUMN "price_amount" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "waybills" ALTER COLUMN "price_currency" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "waybills" ADD COLUMN "home_node" text;--> statement-breakpoint
ALTER TABLE "federation_outbox" ADD CONSTRAINT "federation_outbox_partner_federation_partners_code_fk" FOREIGN KEY ("partner") REFERENCES "public"."federation_partners"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "federation_sync" ADD CONSTRAINT "federation_sync_partner_federation_partners_code_fk" FOREIGN KEY ("partner") REFERENCES "public"."federation_partners"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "federation_outbox_partner_idx" ON "federation_outbox" USING btree ("partner","status","seq");