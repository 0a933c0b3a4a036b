CREATE TABLE "currency_rates" (
	"currency" text NOT NULL,
	"valid_from" date NOT NULL,
	"rate" numeric(20, 10) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "currency_rates_currency_valid_from_pk" PRIMARY KEY("currency","valid_from")
);
--> statement-breakpoint
CREATE TABLE "crm_account_team" (
	"account_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_account_team_account_id_user_id_pk" PRIMARY KEY("account_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "crm_accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"short_name" text,
	"uscc" text,
	"kind" text NOT NULL,
	"industry" text,
	"province_code" text,
	"city_code" text,
	"address" text,
	"website" text,
	"tier" text DEFAULT 'standard' NOT NULL,
	"customer_group_id" uuid,
	"status" text DEFAULT 'prospect' NOT NULL,
	"parent_id" uuid,
	"owner_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"notes" text,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_activities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"body" text,
	"occurred_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"remind_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	"account_id" uuid NOT NULL,
	"opportunity_id" uuid,
	"owner_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_activity_contacts" (
	"activity_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	CONSTRAINT "crm_activity_contacts_activity_id_contact_id_pk" PRIMARY KEY("activity_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "crm_contacts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"name" text NOT NULL,
	"title" text,
	"department" text,
	"level" text NOT NULL,
	"reports_to_id" uuid,
	"phones" text[] DEFAULT '{}'::text[] NOT NULL,
	"emails" text[] DEFAULT '{}'::text[] NOT NULL,
	"wechat_id" text,
	"influence" text DEFAULT 'neutral' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"owner_id" uuid NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_coverage" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"relationship_role" text NOT NULL,
	"strength" integer NOT NULL,
	"last_touch_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_coverage_strength_range" CHECK ("crm_coverage"."strength" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "crm_custom_field_definitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"key" text NOT NULL,
	"definition" jsonb NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_customer_groups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"parent_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_forecast_submissions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"period_key" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"submitted_by" uuid NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"currency" text NOT NULL,
	"figures" jsonb NOT NULL,
	"adjustment" numeric(20, 2) NOT NULL,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "crm_opportunities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"name" text NOT NULL,
	"account_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"stage_key" text NOT NULL,
	"stage_entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"amount" numeric(20, 2) NOT NULL,
	"currency" text NOT NULL,
	"amount_company" numeric(20, 2) NOT NULL,
	"fx_rate" numeric(20, 10) NOT NULL,
	"expected_close_date" date NOT NULL,
	"probability" integer NOT NULL,
	"forecast_category_default" text NOT NULL,
	"forecast_category_override" text,
	"next_step" text,
	"competitors" text[] DEFAULT '{}'::text[] NOT NULL,
	"source" text,
	"loss_reason" text,
	"closed_at" timestamp with time zone,
	"product_interest" text[] DEFAULT '{}'::text[] NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_opportunities_probability_range" CHECK ("crm_opportunities"."probability" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE TABLE "crm_opportunity_contacts" (
	"opportunity_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "crm_opportunity_contacts_opportunity_id_contact_id_pk" PRIMARY KEY("opportunity_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "crm_pipelines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"unit_id" uuid,
	"definition" jsonb NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_saved_views" (
	"id" uuid PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"name" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"shared_unit_id" uuid,
	"definition" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_stage_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"opportunity_id" uuid NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"changed_by" uuid,
	"amount_company" numeric(20, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_timeline_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"source_event_id" uuid NOT NULL,
	"summary" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "crm_account_team" ADD CONSTRAINT "crm_account_team_account_id_crm_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."crm_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_accounts" ADD CONSTRAINT "crm_accounts_customer_group_id_crm_customer_groups_id_fk" FOREIGN KEY ("customer_group_id") REFERENCES "public"."crm_customer_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_activities" ADD CONSTRAINT "crm_activities_account_id_crm_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."crm_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_activities" ADD CONSTRAINT "crm_activities_opportunity_id_crm_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."crm_opportunities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_activity_contacts" ADD CONSTRAINT "crm_activity_contacts_activity_id_crm_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."crm_activities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_activity_contacts" ADD CONSTRAINT "crm_activity_contacts_contact_id_crm_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."crm_contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_contacts" ADD CONSTRAINT "crm_contacts_account_id_crm_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."crm_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_coverage" ADD CONSTRAINT "crm_coverage_account_id_crm_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."crm_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_coverage" ADD CONSTRAINT "crm_coverage_contact_id_crm_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."crm_contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_opportunities" ADD CONSTRAINT "crm_opportunities_account_id_crm_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."crm_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_opportunities" ADD CONSTRAINT "crm_opportunities_pipeline_id_crm_pipelines_id_fk" FOREIGN KEY ("pipeline_id") REFERENCES "public"."crm_pipelines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_opportunity_contacts" ADD CONSTRAINT "crm_opportunity_contacts_opportunity_id_crm_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."crm_opportunities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_opportunity_contacts" ADD CONSTRAINT "crm_opportunity_contacts_contact_id_crm_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."crm_contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_stage_history" ADD CONSTRAINT "crm_stage_history_opportunity_id_crm_opportunities_id_fk" FOREIGN KEY ("opportunity_id") REFERENCES "public"."crm_opportunities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "crm_account_team_user_idx" ON "crm_account_team" USING btree ("user_id","account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_accounts_uscc_key" ON "crm_accounts" USING btree ("uscc") WHERE "crm_accounts"."uscc" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "crm_accounts_parent_idx" ON "crm_accounts" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "crm_accounts_unit_name_idx" ON "crm_accounts" USING btree ("unit_id","name_zh","id");--> statement-breakpoint
CREATE INDEX "crm_accounts_owner_name_idx" ON "crm_accounts" USING btree ("owner_id","name_zh","id");--> statement-breakpoint
CREATE INDEX "crm_accounts_name_idx" ON "crm_accounts" USING btree ("name_zh","id");--> statement-breakpoint
CREATE INDEX "crm_accounts_group_idx" ON "crm_accounts" USING btree ("customer_group_id");--> statement-breakpoint
CREATE INDEX "crm_accounts_name_trgm_idx" ON "crm_accounts" USING gin ("name_zh" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "crm_accounts_custom_idx" ON "crm_accounts" USING gin ("custom" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "crm_accounts_tags_idx" ON "crm_accounts" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "crm_activities_account_idx" ON "crm_activities" USING btree ("account_id","occurred_at");--> statement-breakpoint
CREATE INDEX "crm_activities_opportunity_idx" ON "crm_activities" USING btree ("opportunity_id","occurred_at");--> statement-breakpoint
CREATE INDEX "crm_activities_open_tasks_idx" ON "crm_activities" USING btree ("owner_id","due_at") WHERE "crm_activities"."kind" = 'task' AND "crm_activities"."done_at" IS NULL;--> statement-breakpoint
CREATE INDEX "crm_activity_contacts_contact_idx" ON "crm_activity_contacts" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "crm_contacts_account_idx" ON "crm_contacts" USING btree ("account_id","level","name");--> statement-breakpoint
CREATE INDEX "crm_contacts_reports_to_idx" ON "crm_contacts" USING btree ("reports_to_id");--> statement-breakpoint
CREATE INDEX "crm_contacts_name_trgm_idx" ON "crm_contacts" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "crm_contacts_custom_idx" ON "crm_contacts" USING gin ("custom" jsonb_path_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "crm_coverage_contact_user_key" ON "crm_coverage" USING btree ("contact_id","user_id");--> statement-breakpoint
CREATE INDEX "crm_coverage_account_idx" ON "crm_coverage" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "crm_coverage_user_idx" ON "crm_coverage" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_custom_field_definitions_key" ON "crm_custom_field_definitions" USING btree ("entity","key");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_customer_groups_code_key" ON "crm_customer_groups" USING btree ("code");--> statement-breakpoint
CREATE INDEX "crm_customer_groups_parent_idx" ON "crm_customer_groups" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "crm_forecast_submissions_unit_period_idx" ON "crm_forecast_submissions" USING btree ("unit_id","period_key","submitted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_opportunities_number_key" ON "crm_opportunities" USING btree ("number");--> statement-breakpoint
CREATE INDEX "crm_opportunities_unit_close_idx" ON "crm_opportunities" USING btree ("unit_id","expected_close_date");--> statement-breakpoint
CREATE INDEX "crm_opportunities_owner_close_idx" ON "crm_opportunities" USING btree ("owner_id","expected_close_date");--> statement-breakpoint
CREATE INDEX "crm_opportunities_account_idx" ON "crm_opportunities" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "crm_opportunities_stage_idx" ON "crm_opportunities" USING btree ("pipeline_id","stage_key");--> statement-breakpoint
CREATE INDEX "crm_opportunities_custom_idx" ON "crm_opportunities" USING gin ("custom" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "crm_opportunity_contacts_contact_idx" ON "crm_opportunity_contacts" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_pipelines_key_key" ON "crm_pipelines" USING btree ("key");--> statement-breakpoint
CREATE INDEX "crm_saved_views_owner_idx" ON "crm_saved_views" USING btree ("owner_id","entity");--> statement-breakpoint
CREATE INDEX "crm_saved_views_shared_idx" ON "crm_saved_views" USING btree ("shared_unit_id","entity");--> statement-breakpoint
CREATE INDEX "crm_stage_history_opportunity_idx" ON "crm_stage_history" USING btree ("opportunity_id","changed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_timeline_source_key" ON "crm_timeline_entries" USING btree ("source_event_id","subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "crm_timeline_subject_idx" ON "crm_timeline_entries" USING btree ("subject_type","subject_id","occurred_at");--> statement-breakpoint
CREATE INDEX "users_roles_idx" ON "users" USING gin ("roles");--> statement-breakpoint
CREATE INDEX "users_search_trgm_idx" ON "users" USING gin (("name_zh" || ' ' || coalesce("name_en", '') || ' ' || "email") gin_trgm_ops);