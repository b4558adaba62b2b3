"""An import interrupted half-way writes nothing."""

import pytest
from django.db import OperationalError

from measures.importing import writing
from measures.models import MeasureValue
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
    with pytest.raises(OperationalError):
        import_file(path=path)
    assert MeasureValue.objects.count() == 0
