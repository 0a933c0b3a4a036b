-- Trigram indexes for searching names (Chinese included) need pg_trgm: bundled with PGlite and
-- with PostgreSQL's contrib package. See docs/decisions/0007-searching-chinese-names.md.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
