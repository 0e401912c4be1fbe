CREATE SEQUENCE "public"."waybill_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "feed_events" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "feed_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"org_id" text NOT NULL,
	"type" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"cursor" text,
	"disabled_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"org_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"state" text NOT NULL,
	"response_status" bigint,
	"response_body" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "bids" (
	"id" text PRIMARY KEY NOT NULL,
	"load_id" text NOT NULL,
	"carrier_id" text NOT NULL,
	"status" text DEFAULT 'live' NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"amount" numeric(16, 2) NOT NULL,
	"currency" text NOT NULL,
	"mode" text NOT NULL,
	"legs" jsonb,
	"quote_id" text,
	"vehicle_ids" text[] NOT NULL,
	"pickup_at" timestamp (3) with time zone NOT NULL,
	"delivery_at" timestamp (3) with time zone NOT NULL,
	"valid_until" timestamp (3) with time zone NOT NULL,
	"co2e_kg" double precision NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bids_status_check" CHECK (status in ('live', 'withdrawn', 'void', 'awarded', 'lost')),
	CONSTRAINT "bids_times_check" CHECK (pickup_at < delivery_at),
	CONSTRAINT "bids_amount_check" CHECK (amount > 0)
);
--> statement-breakpoint
CREATE TABLE "loads" (
	"id" text PRIMARY KEY NOT NULL,
	"shipper_id" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"origin" jsonb NOT NULL,
	"destination" jsonb NOT NULL,
	"origin_hub" text,
	"destination_hub" text,
	"cargo" jsonb NOT NULL,
	"weight_kg" double precision NOT NULL,
	"volume_m3" double precision NOT NULL,
	"dg_class" text,
	"pickup_from" timestamp (3) with time zone NOT NULL,
	"pickup_to" timestamp (3) with time zone NOT NULL,
	"deliver_by" timestamp (3) with time zone NOT NULL,
	"modes" text[] NOT NULL,
	"reserve_amount" numeric(16, 2),
	"reserve_currency" text,
	"bidding_closes_at" timestamp (3) with time zone NOT NULL,
	"award_rule" text NOT NULL,
	"awarded_bid_id" text,
	"closed_at" timestamp (3) with time zone,
	"cancel_reason" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "loads_status_check" CHECK (status in ('open', 'awarded', 'unawarded', 'cancelled')),
	CONSTRAINT "loads_award_rule_check" CHECK (award_rule in ('manual', 'lowest_price', 'best_value')),
	CONSTRAINT "loads_window_check" CHECK (pickup_from <= pickup_to and pickup_to <= deliver_by),
	CONSTRAINT "loads_closing_check" CHECK (bidding_closes_at <= pickup_from),
	CONSTRAINT "loads_awarded_check" CHECK ((status = 'awarded') = (awarded_bid_id is not null))
);
--> statement-breakpoint
CREATE TABLE "waybill_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "waybill_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"waybill_number" text NOT NULL,
	"type" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"location" jsonb,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"reported_by" text,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "waybill_events_type_check" CHECK (type in ('created', 'picked_up', 'in_transit', 'at_border', 'cleared', 'transshipped', 'delivered', 'pod_confirmed', 'exception', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "waybill_legs" (
	"waybill_number" text NOT NULL,
	"seq" integer NOT NULL,
	"mode" text NOT NULL,
	"carrier_id" text NOT NULL,
	"from" jsonb NOT NULL,
	"to" jsonb NOT NULL,
	"planned_departure" timestamp (3) with time zone NOT NULL,
	"planned_arrival" timestamp (3) with time zone NOT NULL,
	"overdue_raised_at" timestamp (3) with time zone,
	CONSTRAINT "waybill_legs_waybill_number_seq_pk" PRIMARY KEY("waybill_number","seq")
);
--> statement-breakpoint
CREATE TABLE "waybills" (
	"number" text PRIMARY KEY NOT NULL,
	"load_id" text,
	"bid_id" text,
	"shipper_id" text NOT NULL,
	"carrier_id" text NOT NULL,
	"origin" jsonb NOT NULL,
	"destination" jsonb NOT NULL,
	"cargo" jsonb NOT NULL,
	"price_amount" numeric(16, 2) NOT NULL,
	"price_currency" text NOT NULL,
	"points" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'created' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "waybills_status_check" CHECK (status in ('created', 'picked_up', 'in_transit', 'at_border', 'cleared', 'transshipped', 'delivered', 'pod_confirmed', 'exception', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "feed_events" ADD CONSTRAINT "feed_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_load_id_loads_id_fk" FOREIGN KEY ("load_id") REFERENCES "public"."loads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bids" ADD CONSTRAINT "bids_carrier_id_organizations_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loads" ADD CONSTRAINT "loads_shipper_id_organizations_id_fk" FOREIGN KEY ("shipper_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waybill_events" ADD CONSTRAINT "waybill_events_waybill_number_waybills_number_fk" FOREIGN KEY ("waybill_number") REFERENCES "public"."waybills"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waybill_legs" ADD CONSTRAINT "waybill_legs_waybill_number_waybills_number_fk" FOREIGN KEY ("waybill_number") REFERENCES "public"."waybills"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waybill_legs" ADD CONSTRAINT "waybill_legs_carrier_id_organizations_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waybills" ADD CONSTRAINT "waybills_load_id_loads_id_fk" FOREIGN KEY ("load_id") REFERENCES "public"."loads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waybills" ADD CONSTRAINT "waybills_bid_id_bids_id_fk" FOREIGN KEY ("bid_id") REFERENCES "public"."bids"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waybills" ADD CONSTRAINT "waybills_shipper_id_organizations_id_fk" FOREIGN KEY ("shipper_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waybills" ADD CONSTRAINT "waybills_carrier_id_organizations_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feed_events_org_idx" ON "feed_events" USING btree ("org_id","txid","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "webhooks_org_url_key" ON "webhooks" USING btree ("org_id","url");--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_keys_org_key" ON "idempotency_keys" USING btree ("org_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "bids_one_live_key" ON "bids" USING btree ("load_id","carrier_id") WHERE status = 'live';--> statement-breakpoint
CREATE INDEX "bids_load_idx" ON "bids" USING btree ("load_id","id");--> statement-breakpoint
CREATE INDEX "bids_carrier_idx" ON "bids" USING btree ("carrier_id","id");--> statement-breakpoint
CREATE INDEX "loads_shipper_idx" ON "loads" USING btree ("shipper_id","id");--> statement-breakpoint
CREATE INDEX "loads_status_idx" ON "loads" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "loads_open_closing_idx" ON "loads" USING btree ("bidding_closes_at") WHERE status = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "waybill_events_fingerprint_key" ON "waybill_events" USING btree ("waybill_number","fingerprint");--> statement-breakpoint
CREATE INDEX "waybill_events_waybill_idx" ON "waybill_events" USING btree ("waybill_number","occurred_at");--> statement-breakpoint
CREATE INDEX "waybill_legs_due_idx" ON "waybill_legs" USING btree ("planned_arrival") WHERE overdue_raised_at is null;--> statement-breakpoint
CREATE INDEX "waybill_legs_carrier_idx" ON "waybill_legs" USING btree ("carrier_id");--> statement-breakpoint
CREATE UNIQUE INDEX "waybills_load_key" ON "waybills" USING btree ("load_id");--> statement-breakpoint
CREATE INDEX "waybills_shipper_idx" ON "waybills" USING btree ("shipper_id","number");--> statement-breakpoint
CREATE INDEX "waybills_carrier_idx" ON "waybills" USING btree ("carrier_id","number");