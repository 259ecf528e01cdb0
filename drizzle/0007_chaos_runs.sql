CREATE TABLE "chaos_journal" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"entry" jsonb NOT NULL,
	CONSTRAINT "chaos_journal_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "chaos_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"experiment" text NOT NULL,
	"service" text NOT NULL,
	"status" text NOT NULL,
	"definition" jsonb NOT NULL,
	"plan" jsonb NOT NULL,
	"guards" jsonb NOT NULL,
	"report" jsonb,
	"leases" jsonb NOT NULL,
	"maintenance_id" integer,
	"incidents" jsonb NOT NULL,
	"halt_requested" boolean NOT NULL,
	"controller" text NOT NULL,
	"started_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"finished_at" bigint
);
--> statement-breakpoint
ALTER TABLE "chaos_journal" ADD CONSTRAINT "chaos_journal_run_id_chaos_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."chaos_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chaos_runs_started" ON "chaos_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "chaos_runs_service_started" ON "chaos_runs" USING btree ("service","started_at");