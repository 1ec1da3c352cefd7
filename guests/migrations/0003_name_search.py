"""Name search indexes (DESIGN.md, Encryption; KNOWN-GOOD.md).

pg_trgm cannot use its index for a two-character substring, and Chinese names are often two
characters: so names also get a GIN index over their character bigrams (an IMMUTABLE function
returning text[]). Latin names and typos use a pg_trgm GIN index over the lower-cased full name.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION guests_name_compact(family text, given text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(regexp_replace(coalesce(family, '') || coalesce(given, ''), '\s', '', 'g'))
$$;

CREATE OR REPLACE FUNCTION guests_name_bigrams(family text, given text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}'::text[])
  FROM (SELECT guests_name_compact(family, given) AS s) AS n,
       generate_series(1, length(n.s) - 1) AS i
$$;

CREATE OR REPLACE FUNCTION guests_name_text(family text, given text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(coalesce(given, '') || ' ' || coalesce(family, ''))
$$;
"""

INDEXES = """
CREATE INDEX guest_name_bigrams ON guests_guest USING gin (guests_name_bigrams(family_name, given_name));
CREATE INDEX guest_name_trgm ON guests_guest USING gin (guests_name_text(family_name, given_name) gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS guest_name_trgm;
DROP INDEX IF EXISTS guest_name_bigrams;
DROP FUNCTION IF EXISTS guests_name_text(text, text);
DROP FUNCTION IF EXISTS guests_name_bigrams(text, text);
DROP FUNCTION IF EXISTS guests_name_compact(text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("guests", "0002_access_grants")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(FUNCTIONS + INDEXES, reverse_sql=DROP),
    ]
