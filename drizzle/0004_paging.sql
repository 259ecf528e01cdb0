CREATE TABLE "maintenance_windows" (
	"id" serial PRIMARY KEY NOT NULL,
	"service" text NOT NULL,
	"start" bigint NOT NULL,
	"end" bigint NOT NULL,
	"reason" text,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pages" (
	"id" serial PRIMARY KEY NOT NULL,
	"incident_id" integer NOT NULL,
	"user" text,
	"channel" text NOT NULL,
	"target" text NOT NULL,
	"at" bigint NOT NULL,
	"ok" boolean NOT NULL,
	"attempts" integer NOT NULL,
	"error" text,
	"step" integer NOT NULL,
	"round" integer NOT NULL,
	"acknowledged_at" bigint
);
--> statement-breakpoint
ALTER TABLE "pages" ADD CONSTRAINT "pages_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "maintenance_windows_service_start" ON "maintenance_windows" USING btree ("service","start");--> statement-breakpoint
CREATE INDEX "pages_incident_at" ON "pages" USING btree ("incident_id","at");--> statement-breakpoint
CREATE INDEX "pages_user_at" ON "pages" USING btree ("user","at");--> statement-breakpoint
CREATE INDEX "pages_at" ON "pages" USING btree ("at");