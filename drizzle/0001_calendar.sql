CREATE TABLE "business_calendars" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"hours_kind" text NOT NULL,
	"weekly_windows" jsonb,
	"valid_from_year" integer NOT NULL,
	"valid_to_year" integer NOT NULL,
	"owner_unit_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "business_calendars_hours_check" CHECK (("business_calendars"."hours_kind" = 'always') = ("business_calendars"."weekly_windows" IS NULL)),
	CONSTRAINT "business_calendars_validity_check" CHECK ("business_calendars"."valid_from_year" <= "business_calendars"."valid_to_year")
);
--> statement-breakpoint
CREATE TABLE "calendar_assignments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"calendar_id" uuid NOT NULL,
	"unit_id" uuid,
	"user_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_assignments_target_check" CHECK (("calendar_assignments"."unit_id" IS NULL) <> ("calendar_assignments"."user_id" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "calendar_holidays" (
	"id" uuid PRIMARY KEY NOT NULL,
	"calendar_id" uuid NOT NULL,
	"date" date NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"off_windows" jsonb,
	"source" text DEFAULT 'manual' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calendar_makeup_days" (
	"id" uuid PRIMARY KEY NOT NULL,
	"calendar_id" uuid NOT NULL,
	"date" date NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"windows" jsonb,
	"source" text DEFAULT 'manual' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "person_leave" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"span" text NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"start_date" date,
	"end_date" date,
	"start_part" text DEFAULT 'full' NOT NULL,
	"end_part" text DEFAULT 'full' NOT NULL,
	"note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "person_leave_span_check" CHECK (("person_leave"."span" = 'instants' AND "person_leave"."starts_at" IS NOT NULL AND "person_leave"."ends_at" IS NOT NULL AND "person_leave"."starts_at" < "person_leave"."ends_at" AND "person_leave"."start_date" IS NULL AND "person_leave"."end_date" IS NULL)
       OR ("person_leave"."span" = 'dates' AND "person_leave"."start_date" IS NOT NULL AND "person_leave"."end_date" IS NOT NULL AND "person_leave"."start_date" <= "person_leave"."end_date" AND "person_leave"."starts_at" IS NULL AND "person_leave"."ends_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "calendar_assignments" ADD CONSTRAINT "calendar_assignments_calendar_id_business_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."business_calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_holidays" ADD CONSTRAINT "calendar_holidays_calendar_id_business_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."business_calendars"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_makeup_days" ADD CONSTRAINT "calendar_makeup_days_calendar_id_business_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."business_calendars"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_assignments_unit_key" ON "calendar_assignments" USING btree ("unit_id") WHERE "calendar_assignments"."unit_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_assignments_user_key" ON "calendar_assignments" USING btree ("user_id") WHERE "calendar_assignments"."user_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "calendar_assignments_calendar_idx" ON "calendar_assignments" USING btree ("calendar_id");--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_holidays_calendar_date_key" ON "calendar_holidays" USING btree ("calendar_id","date");--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_makeup_days_calendar_date_key" ON "calendar_makeup_days" USING btree ("calendar_id","date");--> statement-breakpoint
CREATE INDEX "person_leave_user_idx" ON "person_leave" USING btree ("user_id","id");