CREATE TABLE "federation_partners" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"base_url" text NOT NULL,
	"jwks" jsonb NOT NULL,
	"agreement" jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"suspended_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "federation_partners_kind_check" CHECK (kind in ('regional', 'national', 'belt_and_road')),
	CONSTRAINT "federation_partners_status_check" CHECK (status in ('active', 'suspended'))
);
--> statement-breakpoint
CREATE TABLE "federation_signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"sealed_private_key" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"retires_at" timestamp (3) with time zone
);
