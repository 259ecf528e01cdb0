ALTER TABLE "alert_events_in" ADD COLUMN "applied_at" bigint;--> statement-breakpoint
-- Events stored by earlier versions were applied (or lost) as they arrived: none is pending.
UPDATE "alert_events_in" SET "applied_at" = "received_at";--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "postmortem_edit" jsonb;--> statement-breakpoint
-- Alertmanager dedup keys are scoped by integration now (am:SCOPE:FINGERPRINT); alerts stored as
-- am:FINGERPRINT take the scope of the integration their latest event came through, so a resolve
-- sent after the upgrade still finds its alert.
UPDATE "alerts" AS a
SET "dedup_key" = 'am:' || left(encode(sha256(convert_to(e."integration", 'UTF8')), 'hex'), 12) || ':' || substr(a."dedup_key", 4)
FROM (
  SELECT DISTINCT ON ("dedup_key") "dedup_key", "integration"
  FROM "alert_events_in"
  WHERE "origin" = 'alertmanager' AND "integration" IS NOT NULL
  ORDER BY "dedup_key", "id" DESC
) AS e
WHERE a."dedup_key" = e."dedup_key" AND a."dedup_key" ~ '^am:[^:]+$';--> statement-breakpoint
-- Events v2 keys carried the routing key's first 8 characters, a piece of a credential; they are
-- ev2:SCOPE:DEDUP_KEY now, scoped by the routing key's hash like Alertmanager's.
UPDATE "alerts" AS a
SET "dedup_key" = 'ev2:' || left(encode(sha256(convert_to(e."integration", 'UTF8')), 'hex'), 12) || ':' || substr(a."dedup_key", length(left(e."integration", 8)) + 6)
FROM (
  SELECT DISTINCT ON ("dedup_key") "dedup_key", "integration"
  FROM "alert_events_in"
  WHERE "origin" = 'events-v2' AND "integration" IS NOT NULL
  ORDER BY "dedup_key", "id" DESC
) AS e
WHERE a."dedup_key" = e."dedup_key" AND starts_with(a."dedup_key", 'ev2:' || left(e."integration", 8) || ':');--> statement-breakpoint
CREATE INDEX "alert_events_in_pending" ON "alert_events_in" USING btree ("dedup_key","id") WHERE "alert_events_in"."applied_at" is null;
