CREATE TABLE "pricing_rule_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"rule_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pricing_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"published_version" integer,
	"draft_version" integer,
	"latest_version" integer NOT NULL,
	"change_seq" integer DEFAULT 0 NOT NULL,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pricing_rule_versions" ADD CONSTRAINT "pricing_rule_versions_rule_id_pricing_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."pricing_rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pricing_rule_versions_key" ON "pricing_rule_versions" USING btree ("rule_id","number");--> statement-breakpoint
CREATE INDEX "pricing_rule_versions_published_idx" ON "pricing_rule_versions" USING btree ("rule_id") WHERE "pricing_rule_versions"."status" = 'published';--> statement-breakpoint
CREATE UNIQUE INDEX "pricing_rules_code_key" ON "pricing_rules" USING btree (lower("code"));--> statement-breakpoint
CREATE INDEX "pricing_rules_change_seq_idx" ON "pricing_rules" USING btree ("change_seq");