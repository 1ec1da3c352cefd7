"""The bigram function no longer calls guests_name_compact: pg_dump/pg_restore run index builds with
an empty search_path, where an unqualified call to our own function is not found. Same results, so
the index stays valid."""

from django.db import migrations

SELF_CONTAINED = r"""
CREATE OR REPLACE FUNCTION guests_name_bigrams(family text, given text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(n.s, i, 2)), '{}'::text[])
  FROM (SELECT lower(regexp_replace(coalesce(family, '') || coalesce(given, ''), '\s', '', 'g')) AS s) AS n,
       generate_series(1, length(n.s) - 1) AS i
$$;
"""

PREVIOUS = r"""
CREATE OR REPLACE FUNCTION guests_name_bigrams(family text, given text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}'::text[])
  FROM (SELECT guests_name_compact(family, given) AS s) AS n,
       generate_series(1, length(n.s) - 1) AS i
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("guests", "0003_name_search")]

    operations = [migrations.RunSQL(SELF_CONTAINED, reverse_sql=PREVIOUS)]
