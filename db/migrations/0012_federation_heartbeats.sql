ALTER TABLE "federation_sync" ADD COLUMN "last_reached_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "federation_sync" ADD COLUMN "pull_cursor" text;