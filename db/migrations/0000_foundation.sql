CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor_org_id" text,
	"actor_kind" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"request_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"role" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL,
	"credit_code" text,
	"registration_number" text,
	"division_code" text,
	"contact_name" text,
	"contact_phone" text,
	"contact_email" text,
	"modes" text[] DEFAULT '{}'::text[] NOT NULL,
	"qualifications" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rejection_reason" text,
	"verified_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "organizations_kind_check" CHECK (kind in ('shipper', 'carrier', 'regulator', 'admin')),
	CONSTRAINT "organizations_status_check" CHECK (status in ('pending', 'verified', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "vehicles" (
	"id" text PRIMARY KEY NOT NULL,
	"carrier_id" text NOT NULL,
	"mode" text NOT NULL,
	"plate" text NOT NULL,
	"capacity_kg" double precision NOT NULL,
	"capacity_m3" double precision NOT NULL,
	"gauge" smallint,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vehicles_mode_check" CHECK (mode in ('road', 'rail', 'air', 'sea')),
	CONSTRAINT "vehicles_gauge_check" CHECK ((mode = 'rail') = (gauge is not null)),
	CONSTRAINT "vehicles_capacity_check" CHECK (capacity_kg > 0 and capacity_m3 > 0)
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vehicles" ADD CONSTRAINT "vehicles_carrier_id_organizations_id_fk" FOREIGN KEY ("carrier_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "api_keys_org_id_idx" ON "api_keys" USING btree ("org_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_credit_code_key" ON "organizations" USING btree ("credit_code");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_registration_key" ON "organizations" USING btree ("country","registration_number");--> statement-breakpoint
CREATE INDEX "organizations_kind_id_idx" ON "organizations" USING btree ("kind","id");--> statement-breakpoint
CREATE UNIQUE INDEX "vehicles_mode_plate_key" ON "vehicles" USING btree ("mode","plate");--> statement-breakpoint
CREATE INDEX "vehicles_carrier_id_idx" ON "vehicles" USING btree ("carrier_id","id");