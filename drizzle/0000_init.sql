CREATE TABLE "alert_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"slo" text NOT NULL,
	"service" text NOT NULL,
	"severity" text NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"at" bigint NOT NULL,
	"reason" text,
	"burn_rates" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_state" (
	"slo" text NOT NULL,
	"severity" text NOT NULL,
	"state" text NOT NULL,
	"since" bigint NOT NULL,
	"reason" text,
	CONSTRAINT "alert_state_slo_severity_pk" PRIMARY KEY("slo","severity")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "api_tokens_hash" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "services" (
	"name" text PRIMARY KEY NOT NULL,
	"definition" jsonb NOT NULL,
	"hash" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sli_buckets" (
	"slo" text NOT NULL,
	"minute" bigint NOT NULL,
	"good" double precision NOT NULL,
	"total" double precision NOT NULL,
	CONSTRAINT "sli_buckets_slo_minute_pk" PRIMARY KEY("slo","minute")
);
--> statement-breakpoint
CREATE TABLE "sli_samples" (
	"slo" text NOT NULL,
	"at" bigint NOT NULL,
	"value" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slos" (
	"name" text PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"definition" jsonb NOT NULL,
	"hash" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spec_documents" (
	"id" serial PRIMARY KEY NOT NULL,
	"api_version" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"body" jsonb NOT NULL,
	"hash" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_events_slo_at" ON "alert_events" USING btree ("slo","at");--> statement-breakpoint
CREATE INDEX "alert_events_at" ON "alert_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "sli_samples_slo_at" ON "sli_samples" USING btree ("slo","at");--> statement-breakpoint
CREATE INDEX "slos_service" ON "slos" USING btree ("service");--> statement-breakpoint
CREATE UNIQUE INDEX "spec_documents_kind_name" ON "spec_documents" USING btree ("kind","name");