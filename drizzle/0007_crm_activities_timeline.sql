DROP INDEX "crm_activities_account_idx";--> statement-breakpoint
DROP INDEX "crm_activities_opportunity_idx";--> statement-breakpoint
DROP INDEX "crm_timeline_subject_idx";--> statement-breakpoint
ALTER TABLE "crm_activities" ADD COLUMN "sort_at" timestamp with time zone NOT NULL;--> statement-breakpoint
ALTER TABLE "crm_timeline_entries" ADD COLUMN "link_type" text;--> statement-breakpoint
ALTER TABLE "crm_timeline_entries" ADD COLUMN "link_id" uuid;--> statement-breakpoint
ALTER TABLE "crm_timeline_entries" ADD COLUMN "opportunity_id" uuid;--> statement-breakpoint
CREATE INDEX "crm_activities_owner_idx" ON "crm_activities" USING btree ("owner_id","sort_at","id");--> statement-breakpoint
CREATE INDEX "crm_timeline_link_idx" ON "crm_timeline_entries" USING btree ("link_type","link_id");--> statement-breakpoint
CREATE INDEX "crm_activities_account_idx" ON "crm_activities" USING btree ("account_id","sort_at","id");--> statement-breakpoint
CREATE INDEX "crm_activities_opportunity_idx" ON "crm_activities" USING btree ("opportunity_id","sort_at","id");--> statement-breakpoint
CREATE INDEX "crm_timeline_subject_idx" ON "crm_timeline_entries" USING btree ("subject_type","subject_id","occurred_at","id");