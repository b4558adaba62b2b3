"""Two imports of the same cells at once: the second compares with what the first wrote, never with what
was there before it (``writing.hold_the_figures``), so no figure is overwritten without its previous
value kept for the rollback."""

import threading

import pytest
from django.db import connection, connections

from measures import services
from measures.models import ImportBatch, ImportChange, MeasureValue, Period
from measures.services import import_batch_rollback, import_file
from tests.measures.conftest import values, write_csv

HEADER = "area,measure or offence,period,value\n"
CELL = ("violent-crime", "Cherwell", "2011/12 Q1")


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_another_writing_the_same_cells_and_loses_none_of_its_figures(
    county, tmp_path, monkeypatch
):
    """Found in review: on PostgreSQL both imports read the cell as empty, the second overwrote the
    first's 55 with an upsert and kept no record of it, and rolling the second back deleted the cell."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's transactions here begin IMMEDIATE: one writer at a time already")
    first = write_csv(tmp_path, "first.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,55\n")
    second = write_csv(tmp_path, "second.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,70\n")
    Period.objects.financial_quarter(2011, 1)  # stored already: the second import does not wait for it
    written, go_on = threading.Event(), threading.Event()
    real = services.compare_and_write

    def held_open(result, mapper, staging, **kwargs):
        """The first import compares and writes, then holds its transaction open until told."""
        outcome = real(result, mapper, staging, **kwargs)
        if kwargs.get("batch") is not None and kwargs["batch"].file_name == "first.csv":
            written.set()
            assert go_on.wait(30)
        return outcome

    monkeypatch.setattr(services, "compare_and_write", held_open)
    batches = {}

    def run(path):
        try:
            batches[path.name] = import_file(path=path)
        finally:
            connections.close_all()

    one = threading.Thread(target=run, args=[first])
    one.start()
    assert written.wait(30)
    two = threading.Thread(target=run, args=[second])
    two.start()
    two.join(1.5)
    assert two.is_alive()  # waiting for the first to finish, not writing beside it
    go_on.set()
    one.join(30)
    two.join(30)
    assert batches["first.csv"].status == ImportBatch.Status.APPLIED
    later = batches["second.csv"]
    # It read the cell after the first import ended: 55 replaced, and kept for its rollback.
    assert (later.status, later.new_count, later.changed_count) == (ImportBatch.Status.APPLIED, 0, 1)
    assert values()[CELL] == 70
    assert ImportChange.objects.get(batch=later).previous_value == 55
    import_batch_rollback(batch=later, user=county.admin)
    assert values()[CELL] == 55


def test_a_new_cell_already_taken_is_refused_not_overwritten(county, tmp_path, monkeypatch):
    """Were a cell the comparison took for new filled all the same, the write is refused (and the whole
    import with it), rather than overwriting a figure with no record of what it held."""
    from measures.importing import writing

    real = writing.ValueWriter.close

    def filled_first(self, new=1, changed=1):
        assert not MeasureValue.objects.exists()  # so the file's figure is new
        MeasureValue.objects.create(
            measure=county.violent,
            area=county.areas["Cherwell"],
            period=Period.objects.financial_quarter(2011, 1),
            value=55,
            source="meanwhile",
        )
        return real(self, new, changed)

    monkeypatch.setattr(writing.ValueWriter, "close", filled_first)
    path = write_csv(tmp_path, "late.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,70\n")
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.FAILED  # refused by the unique index: a fault, said so
    assert "stopped on a fault in the tracker" in batch.summary["errors"][0]["message"]
    assert not MeasureValue.objects.exists()  # the whole transaction, the meanwhile's 55 with it
