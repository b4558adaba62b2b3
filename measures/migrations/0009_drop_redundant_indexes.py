"""Drop two single-column indexes whose column leads another index on the same table.

- measures_measurevalue.measure_id: the unique (measure, area, period) and the (measure, period) index
  both start with it.
- measures_importchange.batch_id: the unique (batch, measure, area, period) starts with it.

Written by hand as DROP INDEX: Django's AlterField(db_index=False) on SQLite copies the whole table into
a new one (millions of values on a large install) only to leave the index out. The names are those
Django gave the foreign keys' indexes, on SQLite and PostgreSQL alike.
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = [
    ("measures_measurevalue_measure_id_8f511cd0", "measures_measurevalue", "measure_id"),
    ("measures_importchange_batch_id_78e5f6ac", "measures_importchange", "batch_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0008_historicalmeasure_show_per_1000_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="importchange",
                    name="batch",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="measures.importbatch",
                    ),
                ),
                migrations.AlterField(
                    model_name="measurevalue",
                    name="measure",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="values",
                        to="measures.measure",
                    ),
                ),
            ],
        ),
    ]
