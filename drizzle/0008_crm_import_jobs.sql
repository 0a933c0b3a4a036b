CREATE TABLE "catalog_contract_prices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"unit_price" numeric NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_price_book_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"price_book_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"unit_price" numeric NOT NULL,
	"tiers" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_price_books" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"currency" text NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"is_active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog_product_groups" (
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
CREATE TABLE "catalog_products" (
	"id" uuid PRIMARY KEY NOT NULL,
	"sku" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"group_id" uuid,
	"kind" text NOT NULL,
	"term_months" integer,
	"unit" text NOT NULL,
	"tax_percent" numeric NOT NULL,
	"cost_amount" numeric,
	"cost_currency" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"bundle" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_products_cost_pair" CHECK (("catalog_products"."cost_amount" IS NULL) = ("catalog_products"."cost_currency" IS NULL)),
	CONSTRAINT "catalog_products_tax_range" CHECK ("catalog_products"."tax_percent" >= 0 AND "catalog_products"."tax_percent" < 100)
);
--> statement-breakpoint
CREATE TABLE "crm_import_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"unit_id" uuid,
	"status" text DEFAULT 'uploaded' NOT NULL,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"encoding" text NOT NULL,
	"columns" jsonb NOT NULL,
	"rows" jsonb NOT NULL,
	"row_count" integer NOT NULL,
	"mapping" jsonb,
	"dedupe" text,
	"report" jsonb,
	"plan" jsonb,
	"result" jsonb,
	"processed" integer DEFAULT 0 NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"finished_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalog_contract_prices" ADD CONSTRAINT "catalog_contract_prices_product_id_catalog_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."catalog_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_price_book_entries" ADD CONSTRAINT "catalog_price_book_entries_price_book_id_catalog_price_books_id_fk" FOREIGN KEY ("price_book_id") REFERENCES "public"."catalog_price_books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_price_book_entries" ADD CONSTRAINT "catalog_price_book_entries_product_id_catalog_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."catalog_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "catalog_products" ADD CONSTRAINT "catalog_products_group_id_catalog_product_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."catalog_product_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalog_contract_prices_account_idx" ON "catalog_contract_prices" USING btree ("account_id","currency");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_contract_prices_key" ON "catalog_contract_prices" USING btree ("account_id","product_id","currency","valid_from");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_price_book_entries_key" ON "catalog_price_book_entries" USING btree ("price_book_id","product_id");--> statement-breakpoint
CREATE INDEX "catalog_price_book_entries_product_idx" ON "catalog_price_book_entries" USING btree ("product_id");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_price_books_code_key" ON "catalog_price_books" USING btree (lower("code"));--> statement-breakpoint
CREATE INDEX "catalog_price_books_currency_idx" ON "catalog_price_books" USING btree ("currency","valid_from");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_product_groups_code_key" ON "catalog_product_groups" USING btree (lower("code"));--> statement-breakpoint
CREATE INDEX "catalog_product_groups_parent_idx" ON "catalog_product_groups" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_products_sku_key" ON "catalog_products" USING btree (lower("sku"));--> statement-breakpoint
CREATE INDEX "catalog_products_group_idx" ON "catalog_products" USING btree ("group_id");--> statement-breakpoint
CREATE INDEX "crm_import_jobs_owner_idx" ON "crm_import_jobs" USING btree ("owner_id","created_at","id");--> statement-breakpoint
CREATE INDEX "crm_import_jobs_unit_idx" ON "crm_import_jobs" USING btree ("unit_id","created_at","id");