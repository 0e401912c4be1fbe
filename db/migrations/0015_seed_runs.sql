CREATE TABLE "seed_runs" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"seed" bigint NOT NULL,
	"waybills" integer NOT NULL,
	"until" timestamp (3) with time zone NOT NULL,
	"started_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp (3) with time zone,
	CONSTRAINT "seed_runs_single_check" CHECK (id = 1)
);
