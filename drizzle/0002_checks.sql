CREATE TABLE "check_daily" (
	"check" text NOT NULL,
	"day" bigint NOT NULL,
	"pass" integer NOT NULL,
	"degraded" integer NOT NULL,
	"fail" integer NOT NULL,
	CONSTRAINT "check_daily_check_day_pk" PRIMARY KEY("check","day")
);
--> statement-breakpoint
CREATE TABLE "check_health" (
	"check" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"consecutive_failures" integer NOT NULL,
	"consecutive_passes" integer NOT NULL,
	"since" bigint NOT NULL,
	"last_result_at" bigint
);
--> statement-breakpoint
CREATE TABLE "check_results" (
	"id" serial PRIMARY KEY NOT NULL,
	"check" text NOT NULL,
	"service" text NOT NULL,
	"location" text NOT NULL,
	"type" text NOT NULL,
	"started_at" bigint NOT NULL,
	"duration_ms" double precision NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"detail" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checks" (
	"name" text PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"definition" jsonb NOT NULL,
	"hash" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "heartbeats" (
	"check" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"last_ping_at" bigint,
	"pings" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "heartbeats_key" UNIQUE("key")
);
--> statement-breakpoint
-- Moved by hand above the primary-key change: drizzle-kit emitted the key on "source" before the column existed.
-- Existing alert rows take the default and become source 'slo'.
ALTER TABLE "alert_events" ADD COLUMN "source" text DEFAULT 'slo' NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_state" ADD COLUMN "source" text DEFAULT 'slo' NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_state" DROP CONSTRAINT "alert_state_slo_severity_pk";--> statement-breakpoint
ALTER TABLE "alert_state" ADD CONSTRAINT "alert_state_source_slo_severity_pk" PRIMARY KEY("source","slo","severity");--> statement-breakpoint
CREATE INDEX "check_results_check_started" ON "check_results" USING btree ("check","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "checks_service" ON "checks" USING btree ("service");