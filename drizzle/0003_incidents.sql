CREATE TABLE "alert_events_in" (
	"id" serial PRIMARY KEY NOT NULL,
	"event_key" text NOT NULL,
	"received_at" bigint NOT NULL,
	"origin" text NOT NULL,
	"integration" text,
	"dedup_key" text NOT NULL,
	"action" text NOT NULL,
	"body" jsonb NOT NULL,
	CONSTRAINT "alert_events_in_event_key" UNIQUE("event_key")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"dedup_key" text NOT NULL,
	"origin" text NOT NULL,
	"status" text NOT NULL,
	"summary" text NOT NULL,
	"severity" text NOT NULL,
	"service" text,
	"labels" jsonb NOT NULL,
	"first_seen_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"resolved_at" bigint,
	"incident_id" integer,
	CONSTRAINT "alerts_dedup_key" UNIQUE("dedup_key")
);
--> statement-breakpoint
CREATE TABLE "incident_timeline" (
	"id" serial PRIMARY KEY NOT NULL,
	"incident_id" integer NOT NULL,
	"at" bigint NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"text" text NOT NULL,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"severity" text NOT NULL,
	"urgency" text NOT NULL,
	"service" text,
	"services" jsonb NOT NULL,
	"escalation_policy" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"milestones" jsonb NOT NULL,
	"roles" jsonb NOT NULL,
	"impact" jsonb NOT NULL,
	"tasks" jsonb NOT NULL,
	"merged_into" integer,
	"declared_by" text,
	"postmortem" text,
	"public_updates" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"service" text,
	"escalation_policy" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_timeline" ADD CONSTRAINT "incident_timeline_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_incident" ON "alerts" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "alerts_status_last_seen" ON "alerts" USING btree ("status","last_seen_at");--> statement-breakpoint
CREATE INDEX "alerts_last_seen" ON "alerts" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "incident_timeline_incident_at" ON "incident_timeline" USING btree ("incident_id","at","id");--> statement-breakpoint
CREATE INDEX "incidents_state" ON "incidents" USING btree ("state");--> statement-breakpoint
CREATE INDEX "incidents_service_created" ON "incidents" USING btree ("service","created_at");--> statement-breakpoint
CREATE INDEX "incidents_created" ON "incidents" USING btree ("created_at");