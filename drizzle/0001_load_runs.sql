CREATE TABLE "load_run_seconds" (
	"run_id" text NOT NULL,
	"t" integer NOT NULL,
	"sample" jsonb NOT NULL,
	CONSTRAINT "load_run_seconds_run_id_t_pk" PRIMARY KEY("run_id","t")
);
--> statement-breakpoint
CREATE TABLE "load_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"service" text,
	"status" text NOT NULL,
	"plan" jsonb NOT NULL,
	"summary" jsonb,
	"started_at" bigint NOT NULL,
	"finished_at" bigint
);
--> statement-breakpoint
CREATE TABLE "service_capacity" (
	"id" serial PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"measured_at" bigint NOT NULL,
	"rate_per_second" double precision NOT NULL,
	"slo" text,
	"steps" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "load_run_seconds" ADD CONSTRAINT "load_run_seconds_run_id_load_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."load_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "load_runs_started" ON "load_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "load_runs_service_started" ON "load_runs" USING btree ("service","started_at");--> statement-breakpoint
CREATE INDEX "service_capacity_service_at" ON "service_capacity" USING btree ("service","measured_at");