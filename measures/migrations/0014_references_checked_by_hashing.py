"""On PostgreSQL, the per-statement reference check (migration 0011) finds the ids a statement wrote by
hashing them, not sorting them.

``array_agg(DISTINCT ...)`` sorts every row the statement wrote, once per reference: for an import that
changes 720,000 figures, four sorts of 720,000 ids on the values table and five on ``ImportChange``, to
find a few hundred distinct ids. ``SELECT DISTINCT`` in a subquery hashes them instead. The check
itself (the ids locked ``FOR KEY SHARE`` and counted, ``foreign_key_violation`` when one is missing) is
unchanged.
"""

import importlib

from django.db import migrations

SORTED = "'SELECT array_agg(DISTINCT %I) FROM written WHERE %I IS NOT NULL'"
HASHED = "'SELECT array_agg(id) FROM (SELECT DISTINCT %I AS id FROM written WHERE %I IS NOT NULL) found'"


def _exist() -> str:
    return importlib.import_module("measures.migrations.0011_references_checked_per_statement").EXIST


def hashing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        assert SORTED in _exist()
        schema_editor.execute(_exist().replace(SORTED, HASHED), None)


def sorting(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_exist(), None)


class Migration(migrations.Migration):
    dependencies = [("measures", "0013_long_labels")]

    operations = [migrations.RunPython(hashing, sorting)]
