"""The figures' cells are updated in place: no index on the batch that last wrote a cell and, on
PostgreSQL, room left on each page of the values table.

An import that changes a cell changes its batch. With an index on the batch, and with full pages,
PostgreSQL wrote every changed cell as a new row version with new entries in all four indexes: a
national re-import (720,000 changed figures) spent most of its time there. With neither, the change is
a heap-only update (the new version on the same page, no index touched): in one measurement at 360,000
figures, the update took 2.4 s instead of 6.3 s. A page is filled to 45 % by inserts, leaving room for
a new version of each of its rows. Pages written before this migration stay full until the table is
rewritten (``VACUUM FULL measures_measurevalue``, which locks it while it runs); new pages have room.

A rollback and deleting a batch, the only look-ups of cells by their batch, scan the table instead.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "measures_measurevalue"
FILLFACTOR = 45


def in_place(apps, schema_editor):
    """The index on batch_id goes (found by introspection: SQLite keeps the table, and its check of the
    reference, rather than being copied); on PostgreSQL, room on each page."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in constraints.items():
        if info["index"] and not info["unique"] and info["columns"] == ["batch_id"]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
    if connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {FILLFACTOR})")


def not_in_place(apps, schema_editor):
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "measures_measurevalue_batch_id_lookup" ON "{TABLE}" ("batch_id")'
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0014_references_checked_by_hashing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(in_place, not_in_place)],
            state_operations=[
                migrations.AlterField(
                    model_name="measurevalue",
                    name="batch",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="The import that last wrote this value.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="values",
                        to="measures.importbatch",
                    ),
                ),
            ],
        ),
    ]
