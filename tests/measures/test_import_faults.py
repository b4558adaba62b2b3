"""An import interrupted half-way writes nothing."""

from django.db import OperationalError

from measures.importing import writing
from measures.models import ImportBatch, MeasureValue
from measures.services import import_file
from tests.measures.conftest import write_csv


def test_an_import_interrupted_half_way_writes_nothing(county, tmp_path, monkeypatch):
    rows = "".join(f"Cherwell,Violent crime,2011/12 Q{q},{q}\n" for q in (1, 2, 3, 4))
    path = write_csv(tmp_path, "interrupted.csv", "area,measure or offence,period,value\n" + rows)
    original_close = writing.ValueWriter.close

    def close_then_fail(self, **counts):
        original_close(self, **counts)  # the figures are written ...
        raise OperationalError("the database went away")  # ... and then the connection drops

    monkeypatch.setattr(writing.ValueWriter, "close", close_then_fail)
    batch = import_file(path=path)  # ends failed, saying so, rather than raising
    assert batch.status == ImportBatch.Status.FAILED
    assert "stopped on a fault in the tracker" in batch.summary["errors"][0]["message"]
    assert MeasureValue.objects.count() == 0
