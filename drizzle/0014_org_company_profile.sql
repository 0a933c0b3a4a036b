CREATE TABLE "org_company_profile" (
	"id" uuid PRIMARY KEY NOT NULL,
	"address_zh" text DEFAULT '' NOT NULL,
	"address_en" text,
	"phone" text DEFAULT '' NOT NULL,
	"email" text,
	"website" text,
	"tax_id" text,
	"bank_name" text,
	"bank_account" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "org_company_profile_one_row" CHECK ("org_company_profile"."id" = '0192f000-0000-7000-8000-000000000014'::uuid)
);
--> statement-breakpoint
ALTER TABLE "org_company_profile" ADD CONSTRAINT "org_company_profile_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
INSERT INTO "org_company_profile" ("id", "version") VALUES ('0192f000-0000-7000-8000-000000000014', 1) ON CONFLICT DO NOTHING;
