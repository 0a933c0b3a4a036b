CREATE INDEX "crm_accounts_created_idx" ON "crm_accounts" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "crm_accounts_unit_created_idx" ON "crm_accounts" USING btree ("unit_id","created_at","id");--> statement-breakpoint
CREATE INDEX "crm_accounts_owner_created_idx" ON "crm_accounts" USING btree ("owner_id","created_at","id");