"""Every figure names a measure, an area and a period that exist, on both databases.

On SQLite foreign keys check it, at commit. On PostgreSQL (measures migration 0011) the values table
and ``ImportChange`` have no per-row foreign keys: one check per statement does the same job (an
import of 720,000 figures spent half its time in 2.2 million per-row checks). These tests write past
Django, with plain SQL, so only the database stands between a bad row and the table.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from measures.models import ImportBatch, ImportChange, Measure, MeasureValue, Period
from partnerships.models import Area
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

MISSING = 987_654_321


def run(sql, params=()):
    """One statement in a transaction of its own, committed (SQLite checks its foreign keys then)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def cell():
    return factories.MeasureValueFactory()


def insert_value(measure_id, area_id, period_id, batch_id=None):
    run(
        "INSERT INTO measures_measurevalue (measure_id, area_id, period_id, value, source, batch_id, "
        "updated_at) VALUES (%s, %s, %s, 1, 'test', %s, %s)",
        [measure_id, area_id, period_id, batch_id, timezone.now()],
    )


@pytest.mark.parametrize("missing", ["measure", "area", "period", "batch"])
def test_a_figure_naming_a_row_that_is_not_there_is_refused(cell, missing):
    right = {
        "measure": cell.measure_id,
        "area": factories.AreaFactory().pk,
        "period": cell.period_id,
        "batch": None,
    }
    ids = right | {missing: MISSING}
    with pytest.raises(IntegrityError):
        insert_value(ids["measure"], ids["area"], ids["period"], ids["batch"])
    assert MeasureValue.objects.count() == 1
    ids = right
    insert_value(ids["measure"], ids["area"], ids["period"], ids["batch"])  # the same row, named right
    assert MeasureValue.objects.count() == 2


@pytest.mark.parametrize("column", ["area_id", "measure_id", "period_id"])
def test_moving_a_figure_to_a_row_that_is_not_there_is_refused(cell, column):
    with pytest.raises(IntegrityError):
        run(f"UPDATE measures_measurevalue SET {column} = %s WHERE id = %s", [MISSING, cell.pk])
    cell.refresh_from_db()
    assert getattr(cell, column) != MISSING


@pytest.mark.parametrize("column", ["batch_id", "measure_id", "area_id", "period_id", "previous_batch_id"])
def test_a_previous_value_naming_a_row_that_is_not_there_is_refused(cell, column):
    batch = factories.ImportBatchFactory()
    ids = {"batch_id": batch.pk, "measure_id": cell.measure_id, "area_id": cell.area_id,
           "period_id": cell.period_id, "previous_batch_id": None}  # fmt: skip
    ids[column] = MISSING
    with pytest.raises(IntegrityError):
        run(
            "INSERT INTO measures_importchange (batch_id, measure_id, area_id, period_id, previous_value, "
            "previous_source, previous_batch_id) VALUES (%s, %s, %s, %s, 1, '', %s)",
            [ids["batch_id"], ids["measure_id"], ids["area_id"], ids["period_id"], ids["previous_batch_id"]],
        )
    assert not ImportChange.objects.exists()


@pytest.mark.parametrize(
    "table, attribute",
    [("partnerships_area", "area_id"), ("measures_measure", "measure_id"), ("measures_period", "period_id")],
)
def test_deleting_by_hand_what_a_figure_names_is_refused(cell, table, attribute):
    with pytest.raises(IntegrityError):
        run(f"DELETE FROM {table} WHERE id = %s", [getattr(cell, attribute)])
    assert MeasureValue.objects.filter(pk=cell.pk).exists()


def test_deleting_by_hand_a_batch_a_previous_value_names_is_refused(cell):
    batch = factories.ImportBatchFactory()
    ImportChange.objects.create(batch=batch, measure=cell.measure, area=cell.area, period=cell.period,
                                previous_value=1)  # fmt: skip
    with pytest.raises(IntegrityError):
        run("DELETE FROM measures_importbatch WHERE id = %s", [batch.pk])
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_deleting_through_the_app_still_works(cell):
    """Django deletes (or empties) what refers to a row before the row: nothing is refused."""
    batch = factories.ImportBatchFactory()
    MeasureValue.objects.filter(pk=cell.pk).update(batch=batch)
    ImportChange.objects.create(batch=batch, measure=cell.measure, area=cell.area, period=cell.period,
                                previous_value=1, previous_batch=batch)  # fmt: skip
    batch.delete()  # the change goes with it; the value keeps its figure, without the batch
    cell.refresh_from_db()
    assert cell.batch_id is None and not ImportChange.objects.exists()
    measure, area, period = cell.measure, cell.area, cell.period
    measure.delete()  # its figures go with it
    assert not MeasureValue.objects.exists()
    area.delete()
    period.delete()
    assert not Area.objects.filter(pk=area.pk).exists() and not Period.objects.filter(pk=period.pk).exists()
    assert not Measure.objects.filter(pk=measure.pk).exists()


def test_on_postgresql_the_check_is_per_statement_not_per_row():
    """What makes a PostgreSQL import twice as fast: no per-row foreign key on the two big tables."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps its foreign keys")
    with connection.cursor() as cursor:
        for table in ("measures_measurevalue", "measures_importchange"):
            constraints = connection.introspection.get_constraints(cursor, table)
            assert not [name for name, info in constraints.items() if info["foreign_key"]], table
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s ORDER BY tgname", ["%refs%"])
        names = [name for (name,) in cursor.fetchall()]
    assert names == sorted(
        [
            "measures_importbatch_refs_kept",
            "measures_importchange_refs_insert",
            "measures_importchange_refs_update",
            "measures_measure_refs_kept",
            "measures_measurevalue_refs_insert",
            "measures_measurevalue_refs_update",
            "measures_period_refs_kept",
            "partnerships_area_refs_kept",
        ]
    )


def test_a_changed_cell_can_be_updated_in_place():
    """What makes a re-import fast: no index on the batch that last wrote a cell (every changed cell
    changes it) and, on PostgreSQL, room on each page for a heap-only update (migration 0015). A
    rollback finds a batch's cells by scanning the table, and still restores them (test_import_apply)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "measures_measurevalue")
        indexed = [info["columns"] for info in constraints.values() if info["index"]]
        assert ["batch_id"] not in indexed and all(columns[0] != "batch_id" for columns in indexed)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'measures_measurevalue'")
            assert cursor.fetchone()[0] == ["fillfactor=45"]
