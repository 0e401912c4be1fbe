CREATE TABLE "report_cells" (
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"o_area" text NOT NULL,
	"d_area" text NOT NULL,
	"mode" text NOT NULL,
	"hs_chapter" text NOT NULL,
	"corridor" text NOT NULL,
	"waybills" integer NOT NULL,
	"tonnes" double precision NOT NULL,
	"tonne_km" double precision NOT NULL,
	"value_cny" double precision NOT NULL,
	"priced_tonne_km" double precision NOT NULL,
	"co2e_kg" double precision NOT NULL,
	"shippers" text[] NOT NULL,
	"carriers" text[] NOT NULL,
	"delivered" integer NOT NULL,
	"on_time" integer NOT NULL,
	"exceptions" integer NOT NULL,
	"transit_hist" integer[] NOT NULL,
	"delivered_km" double precision NOT NULL,
	"delivered_hours" double precision NOT NULL,
	"delivered_dwell_hours" double precision NOT NULL,
	CONSTRAINT "report_cells_grain_period_o_area_d_area_mode_hs_chapter_corridor_pk" PRIMARY KEY("grain","period","o_area","d_area","mode","hs_chapter","corridor")
);
--> statement-breakpoint
CREATE TABLE "report_crossings" (
	"number" text NOT NULL,
	"seq" integer NOT NULL,
	"port" text NOT NULL,
	"mode" text NOT NULL,
	"day" date NOT NULL,
	"shipper_id" text NOT NULL,
	"carrier_id" text NOT NULL,
	"at_border_at" timestamp (3) with time zone NOT NULL,
	"cleared_at" timestamp (3) with time zone,
	"dwell_hours" double precision,
	"gauge_change" boolean NOT NULL,
	CONSTRAINT "report_crossings_number_seq_pk" PRIMARY KEY("number","seq")
);
--> statement-breakpoint
CREATE TABLE "report_dirty" (
	"number" text PRIMARY KEY NOT NULL,
	"marked_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_fact_links" (
	"number" text NOT NULL,
	"link_id" text NOT NULL,
	"mode" text NOT NULL,
	"corridor" text NOT NULL,
	"day" date NOT NULL,
	"shipper_id" text NOT NULL,
	"carrier_id" text NOT NULL,
	"tonnes" double precision NOT NULL,
	"tonne_km" double precision NOT NULL,
	"value_cny" double precision,
	"co2e_kg" double precision NOT NULL,
	CONSTRAINT "report_fact_links_number_link_id_mode_pk" PRIMARY KEY("number","link_id","mode")
);
--> statement-breakpoint
CREATE TABLE "report_facts" (
	"number" text PRIMARY KEY NOT NULL,
	"shipper_id" text NOT NULL,
	"carrier_id" text NOT NULL,
	"day" date NOT NULL,
	"o_area" text NOT NULL,
	"d_area" text NOT NULL,
	"mode" text NOT NULL,
	"hs_chapter" text NOT NULL,
	"corridor" text NOT NULL,
	"tonnes" double precision NOT NULL,
	"distance_km" double precision NOT NULL,
	"tonne_km" double precision NOT NULL,
	"value_cny" double precision,
	"co2e_kg" double precision NOT NULL,
	"status" text NOT NULL,
	"delivered_at" timestamp (3) with time zone,
	"planned_at" timestamp (3) with time zone,
	"on_time" boolean,
	"transit_hours" double precision,
	"border_dwell_hours" double precision NOT NULL,
	"exceptions" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_link_cells" (
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"link_id" text NOT NULL,
	"mode" text NOT NULL,
	"corridor" text NOT NULL,
	"waybills" integer NOT NULL,
	"tonnes" double precision NOT NULL,
	"tonne_km" double precision NOT NULL,
	"value_cny" double precision NOT NULL,
	"priced_tonne_km" double precision NOT NULL,
	"co2e_kg" double precision NOT NULL,
	"shippers" text[] NOT NULL,
	"carriers" text[] NOT NULL,
	CONSTRAINT "report_link_cells_grain_period_link_id_mode_corridor_pk" PRIMARY KEY("grain","period","link_id","mode","corridor")
);
--> statement-breakpoint
CREATE TABLE "report_port_cells" (
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"port" text NOT NULL,
	"mode" text NOT NULL,
	"crossings" integer NOT NULL,
	"cleared" integer NOT NULL,
	"gauge_transshipments" integer NOT NULL,
	"dwell_hours" double precision NOT NULL,
	"dwell_hist" integer[] NOT NULL,
	"shippers" text[] NOT NULL,
	"carriers" text[] NOT NULL,
	CONSTRAINT "report_port_cells_grain_period_port_mode_pk" PRIMARY KEY("grain","period","port","mode")
);
--> statement-breakpoint
CREATE INDEX "report_crossings_cell_idx" ON "report_crossings" USING btree ("port","mode","day");--> statement-breakpoint
CREATE INDEX "report_fact_links_cell_idx" ON "report_fact_links" USING btree ("link_id","mode","corridor","day");--> statement-breakpoint
CREATE INDEX "report_facts_cell_idx" ON "report_facts" USING btree ("o_area","d_area","mode","hs_chapter","corridor","day");