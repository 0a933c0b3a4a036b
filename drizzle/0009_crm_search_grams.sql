-- CRM search (GET /api/v1/crm/search): every one- and two-character piece ("gram") of an account's
-- or contact's search text, in a GIN index. Chinese names are 2–4 characters and people type 1–3 of
-- them; pg_trgm cannot serve a LIKE pattern shorter than three characters from its index, a gram
-- index can (measured in docs/decisions/0007-searching-chinese-names.md, bench/crm-search.ts).
-- Written by hand: drizzle-kit cannot render functions, nor these expressions in index definitions.
-- The service (src/server/modules/crm/search-service.ts) repeats the expressions exactly. Function
-- bodies name their own functions with the schema: index builds and ANALYZE run with a restricted
-- search_path (PostgreSQL 17+, PGlite).

-- Lower-cased unigrams and bigrams of a text, none containing white space.
CREATE OR REPLACE FUNCTION crm_search_grams(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[])
    FROM (SELECT substr(d, i, n) AS g
            FROM (SELECT lower(doc) AS d) s,
                 generate_series(1, char_length(d)) AS i,
                 (VALUES (1), (2)) AS k(n)
           WHERE i + n - 1 <= char_length(d)) grams
   WHERE g !~ '\s'
$$;--> statement-breakpoint

-- Phone numbers as digits only, separated by spaces ('+86 138-0000 0001' → '8613800000001').
CREATE OR REPLACE FUNCTION crm_phone_digits(phones text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(regexp_replace(array_to_string(phones, '|'), '[^0-9|]', '', 'g'), '|', ' ')
$$;--> statement-breakpoint

-- What an account is found by: names in both languages, short name, USCC.
CREATE OR REPLACE FUNCTION crm_account_search_doc(name_zh text, name_en text, short_name text, uscc text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT name_zh || ' ' || coalesce(name_en, '') || ' ' || coalesce(short_name, '') || ' ' || coalesce(uscc, '')
$$;--> statement-breakpoint

-- What a contact is found by: name, emails, phone numbers as digits only (typed with or without +86,
-- spaces or dashes). Declared immutable: array_to_string over text[] does not depend on settings.
CREATE OR REPLACE FUNCTION crm_contact_search_doc(name text, phones text[], emails text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT name || ' ' || array_to_string(emails, ' ') || ' ' || public.crm_phone_digits(phones)
$$;--> statement-breakpoint

CREATE INDEX IF NOT EXISTS "crm_accounts_search_grams_idx" ON "crm_accounts"
  USING gin (crm_search_grams(crm_account_search_doc("name_zh", "name_en", "short_name", "uscc")));--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "crm_contacts_search_grams_idx" ON "crm_contacts"
  USING gin (crm_search_grams(crm_contact_search_doc("name", "phones", "emails")));
