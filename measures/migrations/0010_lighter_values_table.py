"""Lighter writes into the values table, which an import of 720,000 figures writes a row of per figure.

- The index on ``area_id`` goes: the pages' queries that find figures by area also name the measure, and
  the unique (measure, area, period) index serves them; a partnership's figures-as-stored download and
  the check before an area is deleted scan the table instead, both rare.
- The foreign key on ``batch_id`` ("the import that last wrote this value") is no longer checked by the
  database, row by row at commit: the import writes the batch it is running, and deleting a batch
  empties the field through Django (``on_delete=SET_NULL``). On PostgreSQL the constraint is dropped; on
  SQLite, where dropping it means copying the table, it stays (SQLite checks it cheaply, in the row).

Names are found by introspection, so a database whose constraints Django named differently is handled.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "measures_measurevalue"


def lighten(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in constraints.items():
        if info["index"] and not info["unique"] and info["columns"] == ["area_id"]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
        if connection.vendor == "postgresql" and info["foreign_key"] and info["columns"] == ["batch_id"]:
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(TABLE)} DROP CONSTRAINT {schema_editor.quote_name(name)}"
            )


def restore(apps, schema_editor):
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "measures_measurevalue_area_id_lookup" ON "{TABLE}" ("area_id")'
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "measures_measurevalue_batch_id_fk" FOREIGN KEY ("batch_id") '
            'REFERENCES "measures_importbatch" ("id") DEFERRABLE INITIALLY DEFERRED'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0009_drop_redundant_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(lighten, restore)],
            state_operations=[
                migrations.AlterField(
                    model_name="measurevalue",
                    name="area",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measure_values",
                        to="partnerships.area",
                    ),
                ),
                migrations.AlterField(
                    model_name="measurevalue",
                    name="batch",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
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
