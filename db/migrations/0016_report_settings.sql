CREATE TABLE "report_settings" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"min_parties" integer NOT NULL,
	"built_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
